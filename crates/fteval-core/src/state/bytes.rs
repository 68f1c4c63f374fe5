//! The byte format of states: header (magic, format version, kind), then little-endian fields.
//! Reading checks every length against the bytes left, so no input allocates unboundedly.

use super::{Kind, StateError};

const MAGIC: &[u8; 8] = b"FTEVALST";
/// Bumped whenever a state's layout changes; older bytes are refused with a clear error.
pub const VERSION: u16 = 1;

pub struct Writer {
    out: Vec<u8>,
}

impl Writer {
    pub fn new(kind: Kind) -> Writer {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.push(kind as u8);
        Writer { out }
    }
    pub fn u8(&mut self, v: u8) {
        self.out.push(v);
    }
    pub fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    pub fn f64(&mut self, v: f64) {
        self.out.extend_from_slice(&v.to_bits().to_le_bytes());
    }
    pub fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.out.extend_from_slice(s.as_bytes());
    }
    pub fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.u8(0),
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
        }
    }
    pub fn strs(&mut self, v: &[String]) {
        self.u64(v.len() as u64);
        v.iter().for_each(|s| self.str(s));
    }
    pub fn finish(self) -> Vec<u8> {
        self.out
    }
}

pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// Checks the header: an fteval state, of this format version and this kind.
    pub fn new(bytes: &'a [u8], kind: Kind) -> Result<Reader<'a>, StateError> {
        if bytes.len() < 11 || &bytes[..8] != MAGIC {
            return Err(StateError::Bytes("the bytes do not start with an fteval state header".into()));
        }
        let version = u16::from_le_bytes([bytes[8], bytes[9]]);
        if version != VERSION {
            return Err(StateError::Bytes(format!(
                "format version {version}, but this fteval reads version {VERSION}: make and read states with the same fteval version"
            )));
        }
        match Kind::from_code(bytes[10]) {
            Some(k) if k == kind => Ok(Reader { bytes, at: 11 }),
            Some(k) => Err(StateError::Bytes(format!("a {} state, not a {} state", k.name(), kind.name()))),
            None => Err(StateError::Bytes(format!("unknown state kind {}", bytes[10]))),
        }
    }
    pub fn bad(&self, what: String) -> StateError {
        StateError::Bytes(format!("{what} at byte {}", self.at))
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], StateError> {
        if self.bytes.len() - self.at < n {
            return Err(self.bad("truncated".into()));
        }
        let s = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }
    pub fn u8(&mut self) -> Result<u8, StateError> {
        Ok(self.take(1)?[0])
    }
    pub fn u32(&mut self) -> Result<u32, StateError> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    pub fn u64(&mut self) -> Result<u64, StateError> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }
    pub fn f64(&mut self) -> Result<f64, StateError> {
        Ok(f64::from_bits(self.u64()?))
    }
    /// A count of items of at least `item_bytes` each, refused when the bytes left cannot hold them.
    pub fn count(&mut self, item_bytes: usize) -> Result<usize, StateError> {
        let n = self.u64()?;
        self.count_exact(usize::try_from(n).map_err(|_| self.bad("a count too large".into()))?, item_bytes)
    }
    /// `n` items of `item_bytes` each must fit in the bytes left.
    pub fn count_exact(&self, n: usize, item_bytes: usize) -> Result<usize, StateError> {
        match n.checked_mul(item_bytes) {
            Some(total) if total <= self.bytes.len() - self.at => Ok(n),
            _ => Err(self.bad(format!("a count of {n} items that the bytes cannot hold"))),
        }
    }
    pub fn str(&mut self) -> Result<String, StateError> {
        let n = self.count(1)?;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| self.bad("a label that is not UTF-8".into()))
    }
    pub fn opt_str(&mut self) -> Result<Option<String>, StateError> {
        match self.u8()? {
            0 => Ok(None),
            _ => Ok(Some(self.str()?)),
        }
    }
    pub fn strs(&mut self) -> Result<Vec<String>, StateError> {
        let n = self.count(8)?;
        (0..n).map(|_| self.str()).collect()
    }
    /// Every byte must have been read.
    pub fn end(&self) -> Result<(), StateError> {
        if self.at != self.bytes.len() {
            return Err(self.bad(format!("{} bytes after the end of the state", self.bytes.len() - self.at)));
        }
        Ok(())
    }
}
