//! Hearing of other nodes' events at once: one connection per node `LISTEN`s on the channel
//! every transaction that appends events notifies at its commit
//! ([`claims_store::EVENTS_CHANNEL`]), and wakes whatever waits for events on this node —
//! long polls of the change feed, webhook dispatch. When the connection drops, it is opened
//! again with backoff; meanwhile the waiting side's periodic look still finds every event,
//! only later.

use std::str::FromStr;
use std::time::Duration;

use claims_store::EVENTS_CHANNEL;
use futures::StreamExt;
use tokio_postgres::{AsyncMessage, NoTls};

/// The longest wait between two attempts to listen again.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Listens for events committed by any node on the database at `url`, calling `woken` for
/// each notification (and once after every (re)connection, for what may have committed
/// while no one listened). Runs until dropped.
pub async fn listen_for_events(url: String, mut woken: impl FnMut() + Send) {
    let mut backoff = Duration::from_millis(500);
    loop {
        match listen(&url, &mut woken).await {
            Ok(Listened::Ended) => {
                tracing::warn!("the event notification connection closed; listening again")
            }
            Ok(Listened::After(error)) | Err(error) => tracing::warn!(
                error = %error,
                retry_in_ms = backoff.as_millis() as u64,
                "not hearing of other nodes' events at once; their periodic look finds them meanwhile"
            ),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// How a listening connection ended.
enum Listened {
    /// The server closed it.
    Ended,
    /// It listened, then failed.
    After(tokio_postgres::Error),
}

/// One listening connection, until it ends; `Err` when it could not start listening.
async fn listen(
    url: &str,
    woken: &mut (impl FnMut() + Send),
) -> Result<Listened, tokio_postgres::Error> {
    let mut config = tokio_postgres::Config::from_str(url)?;
    config
        .connect_timeout(Duration::from_secs(5))
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(30))
        .application_name("ssg-claims events");
    let (client, mut connection) = config.connect(NoTls).await?;
    let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
    let statement = format!("LISTEN {EVENTS_CHANNEL}");
    let listening = client.batch_execute(&statement);
    tokio::pin!(listening);
    let mut listened = false;
    loop {
        tokio::select! {
            done = &mut listening, if !listened => {
                done?;
                listened = true;
                tracing::info!("hearing of other nodes' events at once (LISTEN {EVENTS_CHANNEL})");
                // Anything committed while no one listened is found by this look.
                woken();
            }
            message = messages.next() => match message {
                Some(Ok(AsyncMessage::Notification(_))) => woken(),
                Some(Ok(_)) => {}
                Some(Err(error)) if listened => return Ok(Listened::After(error)),
                Some(Err(error)) => return Err(error),
                None => return Ok(Listened::Ended),
            },
        }
    }
}
