//! fteval: the thin binary over the command-line library (`fteval::run`).

/// mimalloc keeps freed pages for reuse: large per-class buffers are not page-faulted anew.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    fteval::run(std::env::args_os())
}
