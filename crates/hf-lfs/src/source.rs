//! Reading the content of an addition in bounded blocks, blocking or as an async stream.

use std::io::{self, Read, Seek, SeekFrom};
use std::sync::PoisonError;

use bytes::{Bytes, BytesMut};
use futures_core::Stream;

use crate::operation::{AddSource, SourceKind};

/// Block size for reading content: large enough to keep syscalls and hasher calls rare,
/// small enough that several in flight stay cheap.
pub(crate) const BLOCK_SIZE: usize = 2 * 1024 * 1024;

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
    /// Reads up to `len` bytes at `offset`; fewer only at the end of the content.
    pub(crate) fn read_at(&mut self, offset: u64, len: usize) -> io::Result<Bytes> {
        match self {
            SourceReader::Bytes(b) => {
                let start = usize::try_from(offset).unwrap_or(usize::MAX).min(b.len());
                let end = start.saturating_add(len).min(b.len());
                Ok(b.slice(start..end))
            }
            SourceReader::File(f) => {
                f.seek(SeekFrom::Start(offset))?;
                read_full(f, len)
            }
            SourceReader::Reader(src) => {
                let SourceKind::Reader(shared) = &src.0 else {
                    unreachable!("SourceReader::Reader always wraps a reader source")
                };
                // A poisoned lock only means another reader panicked mid-read; every read
                // seeks first, so the reader is still usable.
                let mut r = shared.lock().unwrap_or_else(PoisonError::into_inner);
                r.seek(SeekFrom::Start(offset))?;
                read_full(&mut *r, len)
            }
        }
    }
}

/// Reads until `len` bytes or end of input.
fn read_full(r: &mut (impl Read + ?Sized), len: usize) -> io::Result<Bytes> {
    let mut buf = BytesMut::zeroed(len);
    let mut filled = 0;
    while filled < len {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(buf.freeze())
}

/// Streams exactly `len` bytes of `source` from `offset`, in blocks of at most `block`
/// bytes, each read on the blocking pool. Only one block is in memory at a time (plus
/// whatever the consumer holds). Ends with an `UnexpectedEof` error if the content is
/// shorter than announced.
pub(crate) fn stream_range(
    source: AddSource,
    offset: u64,
    len: u64,
    block: usize,
) -> impl Stream<Item = io::Result<Bytes>> + Send + 'static {
    struct State {
        source: AddSource,
        reader: Option<SourceReader>,
        pos: u64,
        end: u64,
    }
    let state = State {
        source,
        reader: None,
        pos: offset,
        end: offset + len,
    };
    futures_util::stream::try_unfold(state, move |mut st| async move {
        if st.pos >= st.end {
            return Ok(None);
        }
        let want = usize::try_from(st.end - st.pos)
            .unwrap_or(usize::MAX)
            .min(block);
        let reader = st.reader.take();
        let source = st.source.clone();
        let pos = st.pos;
        let (reader, chunk) = tokio::task::spawn_blocking(move || -> io::Result<_> {
            let mut reader = match reader {
                Some(r) => r,
                None => source.open()?,
            };
            let chunk = reader.read_at(pos, want)?;
            Ok((reader, chunk))
        })
        .await
        .map_err(io::Error::other)??;
        if chunk.len() < want {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the content is shorter than when it was hashed",
            ));
        }
        st.pos += chunk.len() as u64;
        st.reader = Some(reader);
        Ok(Some((chunk, st)))
    })
}
