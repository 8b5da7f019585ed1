//! A connection whose answers must keep moving.
//!
//! A client that asks for a long answer and then stops reading would otherwise hold its
//! connection, a page of the answer in memory and the kernel's socket buffers for as long as
//! it likes — past every request deadline, which ends at the answer's status line. Here a
//! write (or flush) that cannot make any progress for the send timeout fails with
//! [`io::ErrorKind::TimedOut`]; hyper then closes the connection and drops the answer,
//! releasing everything it held. A slow reader that keeps reading is never cut.
//!
//! Written here because neither hyper nor tokio offers a write-progress timeout, and a
//! timeout around the whole connection would cut long answers to clients that do read.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// `inner`, with writes that fail once they have made no progress for `timeout`.
#[derive(Debug)]
pub(crate) struct SendDeadline<S> {
    inner: S,
    timeout: Duration,
    /// The deadline of the write that is waiting now, armed when it first had to wait.
    stall: Pin<Box<Sleep>>,
    stalled: bool,
}

impl<S> SendDeadline<S> {
    pub(crate) fn new(inner: S, timeout: Duration) -> Self {
        Self {
            inner,
            timeout,
            stall: Box::pin(tokio::time::sleep(timeout)),
            stalled: false,
        }
    }

    /// What a write that returned `poll` means: progress disarms the deadline; waiting
    /// arms it (once) and fails when it passes.
    fn watch<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if poll.is_ready() {
            self.stalled = false;
            return poll;
        }
        if !self.stalled {
            self.stalled = true;
            self.stall.as_mut().reset(Instant::now() + self.timeout);
        }
        ready!(self.stall.as_mut().poll(cx));
        Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, SendTimedOut)))
    }
}

/// Why a connection was cut: its client read nothing of the answer for the send timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the client read nothing of its answer for the send timeout")]
pub(crate) struct SendTimedOut;

impl<S: AsyncRead + Unpin> AsyncRead for SendDeadline<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for SendDeadline<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.watch(cx, poll)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.watch(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_flush(cx);
        this.watch(cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// Whether `error` (or what caused it) is a cut for not reading.
pub(crate) fn is_send_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if let Some(io) = error.downcast_ref::<io::Error>()
            && io.get_ref().is_some_and(|inner| inner.is::<SendTimedOut>())
        {
            return true;
        }
        if error.is::<SendTimedOut>() {
            return true;
        }
        cause = error.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_write_nobody_reads_fails_after_the_timeout() {
        let (near, mut far) = tokio::io::duplex(1024);
        let mut connection = SendDeadline::new(near, Duration::from_secs(30));
        // Fills the pipe, then waits for a reader that never comes.
        let started = Instant::now();
        let error = connection
            .write_all(&vec![b'x'; 64 * 1024])
            .await
            .unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert!(is_send_timeout(&error));
        assert_eq!(started.elapsed(), Duration::from_secs(30));
        // What was written before it stalled did arrive.
        let mut first = vec![0; 1024];
        far.read_exact(&mut first).await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_reader_that_keeps_reading_is_never_cut() {
        let (near, mut far) = tokio::io::duplex(1024);
        let mut connection = SendDeadline::new(near, Duration::from_secs(30));
        let reader = tokio::spawn(async move {
            let mut total = 0;
            let mut chunk = [0; 512];
            while total < 16 * 1024 {
                // Reads a little every 20 seconds: slower than the timeout in total, but
                // never idle for as long as it.
                tokio::time::sleep(Duration::from_secs(20)).await;
                total += far.read(&mut chunk).await.unwrap();
            }
            total
        });
        connection.write_all(&vec![b'x'; 16 * 1024]).await.unwrap();
        connection.flush().await.unwrap();
        drop(connection);
        assert!(reader.await.unwrap() >= 16 * 1024);
    }
}
