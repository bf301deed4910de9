//! Reading the content of an addition in bounded blocks, blocking or as an async stream.

use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use bytes::Bytes;
use futures_core::Stream;

use crate::operation::{AddSource, SourceKind};

/// Block size for reading content: large enough to keep syscalls and hasher calls rare,
/// small enough that several in flight stay cheap.
pub(crate) const BLOCK_SIZE: usize = 2 * 1024 * 1024;

/// Read buffers that come back when the [`Bytes`] made from them are dropped (once the
/// transport has sent them), for the next read of the same upload.
///
/// Without it, every block is a fresh allocation that the allocator soon hands back to
/// the kernel: the next one is then zeroed and page-faulted in again, which cost a fifth
/// of the client's CPU on uploads of large files. Retention is bounded by the blocks in
/// flight at once; everything is freed when the last clone of the pool is dropped.
#[derive(Clone, Default)]
pub(crate) struct BlockPool(Arc<Mutex<Vec<Vec<u8>>>>);

/// At most this many idle buffers are kept.
const MAX_POOLED: usize = 32;

/// A filled buffer on loan from a [`BlockPool`]: the first `len` bytes are the data.
struct PooledBlock {
    buf: Vec<u8>,
    len: usize,
    home: Weak<Mutex<Vec<Vec<u8>>>>,
}

impl AsRef<[u8]> for PooledBlock {
    fn as_ref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl Drop for PooledBlock {
    fn drop(&mut self) {
        if let Some(home) = self.home.upgrade() {
            let mut idle = home.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < MAX_POOLED {
                idle.push(std::mem::take(&mut self.buf));
            }
        }
    }
}

impl BlockPool {
    /// Reads until `len` bytes or end of input, into a pooled buffer.
    fn read(&self, r: &mut (impl Read + ?Sized), len: usize) -> io::Result<Bytes> {
        let idle = self.0.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let mut buf = match idle {
            Some(b) if b.len() >= len => b,
            _ => vec![0u8; len.max(BLOCK_SIZE)],
        };
        let filled = fill(r, &mut buf[..len])?;
        Ok(Bytes::from_owner(PooledBlock {
            buf,
            len: filled,
            home: Arc::downgrade(&self.0),
        }))
    }
}

/// An open handle on an [`AddSource`], reading ranges by offset.
pub(crate) enum SourceReader {
    File(fs_err::File),
    Bytes(Bytes),
    Reader(AddSource),
}

impl AddSource {
    /// Opens the content for reading (blocking).
    pub(crate) fn open(&self) -> io::Result<SourceReader> {
        Ok(match &self.0 {
            SourceKind::Path(p) => SourceReader::File(fs_err::File::open(p)?),
            SourceKind::Bytes(b) => SourceReader::Bytes(b.clone()),
            SourceKind::Reader(_) => SourceReader::Reader(self.clone()),
        })
    }
}

impl SourceReader {
    /// Reads up to `len` bytes at `offset`; fewer only at the end of the content. File
    /// and reader content lands in a buffer of `pool`.
    pub(crate) fn read_at(
        &mut self,
        offset: u64,
        len: usize,
        pool: &BlockPool,
    ) -> io::Result<Bytes> {
        match self {
            SourceReader::Bytes(b) => {
                let start = usize::try_from(offset).unwrap_or(usize::MAX).min(b.len());
                let end = start.saturating_add(len).min(b.len());
                Ok(b.slice(start..end))
            }
            SourceReader::File(f) => {
                f.seek(SeekFrom::Start(offset))?;
                pool.read(f, len)
            }
            SourceReader::Reader(src) => {
                let SourceKind::Reader(shared) = &src.0 else {
                    unreachable!("SourceReader::Reader always wraps a reader source")
                };
                // A poisoned lock only means another reader panicked mid-read; every read
                // seeks first, so the reader is still usable.
                let mut r = shared.lock().unwrap_or_else(PoisonError::into_inner);
                r.seek(SeekFrom::Start(offset))?;
                pool.read(&mut *r, len)
            }
        }
    }
}

/// Fills `buf` from `r` until it is full or the input ends; returns the bytes read.
fn fill(r: &mut (impl Read + ?Sized), buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Calls `f` on the whole content, block by block, in order (blocking). Files and
/// readers are read sequentially into one reused buffer; in-memory content is passed
/// as is.
/// [`for_each_block`] for a file, with the reads (copies from the page cache, about a
/// quarter of the cost of a sha256) done by a second thread while `f` handles the
/// previous block: worth it when a core would otherwise sit idle.
pub(crate) fn for_each_block_read_ahead(path: &Path, mut f: impl FnMut(&[u8])) -> io::Result<()> {
    const BUFFERS: usize = 3;
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<(Vec<u8>, usize)>(BUFFERS);
    let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    for _ in 0..BUFFERS {
        empty_tx
            .send(vec![0u8; BLOCK_SIZE])
            .expect("the receiver is alive");
    }
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || -> io::Result<()> {
            let mut file = fs_err::File::open(path)?;
            // Ends when the file does, or when the consumer is gone.
            while let Ok(mut buf) = empty_rx.recv() {
                let n = fill(&mut file, &mut buf)?;
                if n == 0 || full_tx.send((buf, n)).is_err() {
                    break;
                }
            }
            Ok(())
        });
        for (buf, n) in full_rx {
            f(&buf[..n]);
            // The reader may have finished already; the buffer is then just dropped.
            let _ = empty_tx.send(buf);
        }
        reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

pub(crate) fn for_each_block(source: &AddSource, mut f: impl FnMut(&[u8])) -> io::Result<()> {
    let mut buf;
    match &source.0 {
        SourceKind::Bytes(b) => {
            b.chunks(BLOCK_SIZE).for_each(f);
            Ok(())
        }
        SourceKind::Path(p) => {
            let mut file = fs_err::File::open(p)?;
            buf = vec![0u8; BLOCK_SIZE];
            loop {
                let n = fill(&mut file, &mut buf)?;
                if n == 0 {
                    return Ok(());
                }
                f(&buf[..n]);
            }
        }
        SourceKind::Reader(shared) => {
            let mut r = shared.lock().unwrap_or_else(PoisonError::into_inner);
            r.seek(SeekFrom::Start(0))?;
            buf = vec![0u8; BLOCK_SIZE];
            loop {
                let n = fill(&mut *r, &mut buf)?;
                if n == 0 {
                    return Ok(());
                }
                f(&buf[..n]);
            }
        }
    }
}

/// Streams exactly `len` bytes of `source` from `offset`, in blocks of at most `block`
/// bytes, each read on the blocking pool. The next block is read while the consumer
/// handles the current one (so reading and sending overlap): at most two blocks are in
/// memory (plus whatever the consumer holds), in buffers of `pool`. Ends with an
/// `UnexpectedEof` error if the content is shorter than announced.
pub(crate) fn stream_range(
    source: AddSource,
    offset: u64,
    len: u64,
    block: usize,
    pool: BlockPool,
) -> impl Stream<Item = io::Result<Bytes>> + Send + 'static {
    type Read = tokio::task::JoinHandle<io::Result<(SourceReader, Bytes)>>;
    struct State {
        source: AddSource,
        pool: BlockPool,
        /// The read of the next block, with its requested length.
        pending: Option<(Read, usize)>,
        /// Where the next read (not yet started) begins.
        pos: u64,
        end: u64,
    }
    fn start(st: &mut State, reader: Option<SourceReader>, block: usize) {
        if st.pos >= st.end {
            return;
        }
        let want = usize::try_from(st.end - st.pos)
            .unwrap_or(usize::MAX)
            .min(block);
        let source = st.source.clone();
        let pool = st.pool.clone();
        let pos = st.pos;
        st.pos += want as u64;
        let read = tokio::task::spawn_blocking(move || -> io::Result<_> {
            let mut reader = match reader {
                Some(r) => r,
                None => source.open()?,
            };
            let chunk = reader.read_at(pos, want, &pool)?;
            Ok((reader, chunk))
        });
        st.pending = Some((read, want));
    }
    let state = State {
        source,
        pool,
        pending: None,
        pos: offset,
        end: offset + len,
    };
    futures_util::stream::try_unfold(state, move |mut st| async move {
        if st.pending.is_none() {
            start(&mut st, None, block);
        }
        let Some((read, want)) = st.pending.take() else {
            return Ok(None);
        };
        let (reader, chunk) = read.await.map_err(io::Error::other)??;
        if chunk.len() < want {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the content is shorter than when it was hashed",
            ));
        }
        // Read ahead while this block is being sent.
        start(&mut st, Some(reader), block);
        Ok(Some((chunk, st)))
    })
}

#[cfg(test)]
mod tests {
    use futures_util::TryStreamExt;

    use super::*;
    use crate::operation::SourceKind;

    /// Blocks read through a pool carry the right bytes (also the short last one), a
    /// buffer comes back to the pool once its `Bytes` are dropped and is used again,
    /// and blocks still alive when the pool goes away stay valid.
    #[tokio::test]
    async fn pooled_blocks_are_reused_and_stay_valid() {
        let dir = tempfile::tempdir().unwrap();
        let size = 2 * BLOCK_SIZE + 100;
        let data: Vec<u8> = (0..size).map(|i| (i * 31 % 253) as u8).collect();
        let path = dir.path().join("f");
        std::fs::write(&path, &data).unwrap();
        let source = AddSource(SourceKind::Path(path));

        let pool = BlockPool::default();
        let blocks: Vec<Bytes> =
            stream_range(source.clone(), 5, size as u64 - 5, BLOCK_SIZE, pool.clone())
                .try_collect()
                .await
                .unwrap();
        assert_eq!(blocks.concat(), &data[5..]);
        drop(blocks);
        let idle = pool.0.lock().unwrap().len();
        assert!((1..=3).contains(&idle), "{idle} idle buffers");

        let mut reader = source.open().unwrap();
        let again = reader.read_at(0, 10, &pool).unwrap();
        assert_eq!(&again[..], &data[..10]);
        let reused = pool.0.lock().unwrap().len() == idle - 1;
        assert!(reused, "a pooled buffer was taken");

        // The pool may go first: the block keeps its buffer and frees it later.
        drop(pool);
        assert_eq!(&again[..], &data[..10]);
    }
}
