//! What a playing scenario arms on the vendor calls: a step that runs right after a kind
//! of call (`on = "inquiry"`), or a trap that answers one (`answer-91-but-done`,
//! `answer-500`, `slow-then-done`). Each fires once, on the next call of its kind by any
//! vendor, or by the one it names.

use std::sync::Mutex;

use claims_domain::KstDateTime;
use tokio::sync::mpsc;

use super::record::CallKind;

/// How a trap answers the call it catches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trap {
    /// The call takes effect; the answer says 91 (a failure of SSG's).
    AnswerNinetyOneButDone,
    /// Nothing is done; SSG's envelope with HTTP 500.
    Answer500,
    /// The call takes effect; the answer waits 35 s (past most clients' timeouts).
    SlowThenDone,
}

impl Trap {
    /// The name a scenario uses.
    pub fn name(self) -> &'static str {
        match self {
            Trap::AnswerNinetyOneButDone => "answer-91-but-done",
            Trap::Answer500 => "answer-500",
            Trap::SlowThenDone => "slow-then-done",
        }
    }

    pub fn parse(name: &str) -> Option<Trap> {
        [
            Trap::AnswerNinetyOneButDone,
            Trap::Answer500,
            Trap::SlowThenDone,
        ]
        .into_iter()
        .find(|trap| trap.name() == name)
    }

    /// Whether the call it catches takes effect.
    pub fn done(self) -> bool {
        self != Trap::Answer500
    }
}

/// How long `slow-then-done` holds its answer.
pub const SLOW_ANSWER: std::time::Duration = std::time::Duration::from_secs(35);

/// A step waiting for a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Armed {
    /// The step's number in its scenario, from 1.
    pub step: usize,
    pub on: CallKind,
    /// Only this vendor's call (`splVenId`), or any.
    pub vendor: Option<String>,
    /// A trap, or else a step whose action runs after the call.
    pub trap: Option<Trap>,
}

/// A step whose call came: its action is due `at` (the call's time; the step adds its
/// `after`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fired {
    pub step: usize,
    pub at: KstDateTime,
}

/// What fires on one call.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Firing {
    /// Steps whose action follows the call.
    pub steps: Vec<usize>,
    /// The trap that answers it (the first armed; another waits for the next call).
    pub trap: Option<(usize, Trap)>,
}

/// Where the player stands: everything due up to `done_until` has run, and the next
/// piece of work is due at `next_due`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub done_until: Option<KstDateTime>,
    pub next_due: Option<KstDateTime>,
}

/// How long a move of the clock waits for the player to run a step it passes.
pub const CATCH_UP: std::time::Duration = std::time::Duration::from_secs(10);

/// The armed steps of the scenario that plays on this node, and where its player stands,
/// so that a move of the clock runs each step it passes at the step's own time.
#[derive(Debug)]
pub struct Hooks {
    armed: Mutex<Vec<Armed>>,
    fired: mpsc::UnboundedSender<Fired>,
    progress: tokio::sync::watch::Sender<Progress>,
    wake: tokio::sync::Notify,
}

impl Hooks {
    /// Hooks, and where the player hears of the steps that fired.
    pub fn new() -> (Hooks, mpsc::UnboundedReceiver<Fired>) {
        let (fired, heard) = mpsc::unbounded_channel();
        (
            Hooks {
                armed: Mutex::new(Vec::new()),
                fired,
                progress: tokio::sync::watch::Sender::new(Progress::default()),
                wake: tokio::sync::Notify::new(),
            },
            heard,
        )
    }

    pub fn arm(&self, armed: Armed) {
        self.lock().push(armed);
    }

    /// Whether a waiting step wants one vendor's call only (then a call's vendor must be
    /// known before it is answered).
    pub fn names_a_vendor(&self) -> bool {
        self.lock().iter().any(|armed| armed.vendor.is_some())
    }

    /// Whether anything waits for a call.
    pub fn is_armed(&self) -> bool {
        !self.lock().is_empty()
    }

    /// Takes what fires on a call of `kind` by `vendor`: every step that waits for it and
    /// the first trap.
    pub fn fire(&self, kind: CallKind, vendor: Option<&str>) -> Firing {
        let mut armed = self.lock();
        let mut firing = Firing::default();
        armed.retain(|one| {
            let matches = one.on == kind
                && one
                    .vendor
                    .as_deref()
                    .is_none_or(|wanted| Some(wanted) == vendor);
            if !matches {
                return true;
            }
            match one.trap {
                None => {
                    firing.steps.push(one.step);
                    false
                }
                Some(trap) if firing.trap.is_none() => {
                    firing.trap = Some((one.step, trap));
                    false
                }
                Some(_) => true,
            }
        });
        firing
    }

    /// Tells the player that `steps` fired at `at`.
    pub fn fired(&self, steps: &[usize], at: KstDateTime) {
        for &step in steps {
            let _ = self.fired.send(Fired { step, at });
        }
    }

    /// The player tells where it stands.
    pub fn progressed(&self, progress: Progress) {
        self.progress.send_if_modified(|held| {
            let changed = *held != progress;
            *held = progress;
            changed
        });
    }

    /// Where the player stands.
    pub fn progress(&self) -> Progress {
        *self.progress.borrow()
    }

    /// Wakes the player (the clock moved).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Completes when the player is woken.
    pub async fn woken(&self) {
        self.wake.notified().await;
    }

    /// Waits, at most [`CATCH_UP`], until the player has run everything due by `at`;
    /// whether it did.
    pub async fn caught_up(&self, at: KstDateTime) -> bool {
        let mut progress = self.progress.subscribe();
        tokio::time::timeout(
            CATCH_UP,
            progress.wait_for(|p| p.done_until.is_some_and(|done| done >= at)),
        )
        .await
        .is_ok_and(|waited| waited.is_ok())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Armed>> {
        self.armed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_fires_once_and_one_trap_per_call() {
        let (hooks, _heard) = Hooks::new();
        let arm = |step, on, vendor: Option<&str>, trap| Armed {
            step,
            on,
            vendor: vendor.map(str::to_owned),
            trap,
        };
        hooks.arm(arm(1, CallKind::Inquiry, None, None));
        hooks.arm(arm(
            2,
            CallKind::Approve,
            Some("0000000101"),
            Some(Trap::Answer500),
        ));
        hooks.arm(arm(
            3,
            CallKind::Approve,
            None,
            Some(Trap::AnswerNinetyOneButDone),
        ));
        assert_eq!(hooks.fire(CallKind::Release, None), Firing::default());
        assert_eq!(
            hooks.fire(CallKind::Inquiry, Some("0000000202")),
            Firing {
                steps: vec![1],
                trap: None
            }
        );
        assert_eq!(hooks.fire(CallKind::Inquiry, None), Firing::default());
        // Another vendor's approval: the trap for any vendor answers it.
        assert_eq!(
            hooks.fire(CallKind::Approve, Some("0000000202")).trap,
            Some((3, Trap::AnswerNinetyOneButDone))
        );
        assert_eq!(
            hooks.fire(CallKind::Approve, Some("0000000101")).trap,
            Some((2, Trap::Answer500))
        );
        assert!(!hooks.is_armed());
    }
}
