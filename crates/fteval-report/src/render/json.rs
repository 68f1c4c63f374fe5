//! `--format json`: the document as SPEC fixes it.

use std::io::{self, Write};

use super::Renderer;
use crate::document::{
    CheckDocument, CompareDocument, CurvesDocument, LeakageDocument, MetricsDocument, RankDocument,
    TextCompareDocument, TextRankDocument,
};

pub struct Json;

impl Renderer for Json {
    fn metrics(&self, doc: &MetricsDocument, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, doc).map_err(io::Error::other)?;
        writeln!(out)
    }

    fn compare(&self, doc: &CompareDocument, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, doc).map_err(io::Error::other)?;
        writeln!(out)
    }

    fn curves(&self, doc: &CurvesDocument, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, doc).map_err(io::Error::other)?;
        writeln!(out)
    }

    fn leakage(&self, doc: &LeakageDocument, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, doc).map_err(io::Error::other)?;
        writeln!(out)
    }

    fn rank(&self, doc: &RankDocument, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, doc).map_err(io::Error::other)?;
        writeln!(out)
    }

    fn text_compare(&self, doc: &TextCompareDocument, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, doc).map_err(io::Error::other)?;
        writeln!(out)
    }

    fn text_rank(&self, doc: &TextRankDocument, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, doc).map_err(io::Error::other)?;
        writeln!(out)
    }

    fn check(&self, doc: &CheckDocument, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, doc).map_err(io::Error::other)?;
        writeln!(out)
    }
}
