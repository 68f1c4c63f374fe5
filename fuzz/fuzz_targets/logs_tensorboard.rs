//! TensorBoard event files: TFRecord framing, CRCs and the Event/Summary protobufs.
#![no_main]
use fteval_io::logs::tensorboard::read_tensorboard_from;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = read_tensorboard_from(std::io::Cursor::new(data), "events.out.tfevents.fuzz", None);
});
