//! A lean HTTP/1.1 load generator: one keep-alive connection per worker, written on hyper's
//! connection API so the generator costs the shared CPUs as little as possible.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::measure::Measured;

/// Makes the `n`-th request of a worker.
pub type MakeRequest = Arc<dyn Fn(u64) -> Request<Full<Bytes>> + Send + Sync>;

/// How requests are paced.
#[derive(Debug, Clone, Copy)]
pub enum Pace {
    /// Each worker sends its next request as soon as the last answer is read.
    ClosedLoop,
    /// The workers together send `rate` requests per second on a fixed schedule; latency is
    /// measured from the scheduled time, so a slow answer is not hidden by the requests it
    /// delayed.
    Rate(f64),
}

/// Runs `workers` workers against `address` for `duration`, at most `max_requests` each.
pub async fn run(
    address: SocketAddr,
    workers: usize,
    duration: Duration,
    max_requests: u64,
    pace: Pace,
    make: MakeRequest,
) -> anyhow::Result<Measured> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for worker in 0..workers {
        let make = Arc::clone(&make);
        tasks.push(tokio::spawn(async move {
            worker_loop(address, worker, workers, deadline, max_requests, pace, make).await
        }));
    }
    let mut total = Measured::new();
    for task in tasks {
        total.merge(&task.await??);
    }
    total.elapsed = started.elapsed();
    Ok(total)
}

async fn connect(address: SocketAddr) -> anyhow::Result<http1::SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(address).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

async fn worker_loop(
    address: SocketAddr,
    worker: usize,
    workers: usize,
    deadline: Instant,
    max_requests: u64,
    pace: Pace,
    make: MakeRequest,
) -> anyhow::Result<Measured> {
    let mut measured = Measured::new();
    let mut sender = connect(address).await?;
    let interval = match pace {
        Pace::ClosedLoop => None,
        Pace::Rate(rate) => Some(Duration::from_secs_f64(workers as f64 / rate.max(0.001))),
    };
    let first = Instant::now()
        + interval.map_or(Duration::ZERO, |i| {
            i.mul_f64(worker as f64 / workers as f64)
        });
    for n in 0..max_requests {
        let scheduled = match interval {
            Some(interval) => {
                let at = first + interval.mul_f64(n as f64);
                if at > deadline {
                    break;
                }
                tokio::time::sleep_until(at.into()).await;
                at
            }
            None => {
                let now = Instant::now();
                if now > deadline {
                    break;
                }
                now
            }
        };
        if sender.ready().await.is_err() {
            sender = connect(address).await?;
        }
        let request = make(n * workers as u64 + worker as u64);
        match sender.send_request(request).await {
            Ok(response) => {
                let status = response.status().as_u16();
                match response.into_body().collect().await {
                    Ok(_) => measured.record(scheduled.elapsed(), status),
                    Err(_) => measured.failures += 1,
                }
            }
            Err(_) => {
                measured.failures += 1;
                sender = connect(address).await?;
            }
        }
    }
    Ok(measured)
}
