//! Dedicated threads for argon2id, so password hashing has bounded memory and
//! never takes every core from requests.
//!
//! Rules:
//! - each worker owns one argon2 memory area (19 MiB at OWASP parameters),
//!   allocated at its first job, reused for every hash after that, and freed
//!   after [`IDLE_RELEASE`] without work: memory is `threads × 19 MiB` at most,
//!   however many logins arrive;
//! - workers run at a lower scheduling priority (nice 10, `SCHED_BATCH`), and by
//!   default there is one worker fewer than there are cores, so reads keep a core;
//! - the queue in front of the workers is bounded: a job that finds it full is
//!   refused at once ([`AuthError::Busy`], a 503 with `Retry-After`) instead of
//!   waiting without limit;
//! - workers stop when the last [`HashPool`] handle is dropped.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use argon2::password_hash::phc::{Output, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use super::error::{AuthError, Failure};
use crate::domain::Password;

/// How long a worker keeps its memory area without work.
pub const IDLE_RELEASE: Duration = Duration::from_secs(30);

/// What a worker is asked to do.
enum Task {
    /// A PHC string of the password with a fresh salt.
    Hash(Password),
    /// Whether the password matches the PHC string; with none, the same work
    /// is spent on a random salt and the answer is false.
    Verify(Password, Option<String>),
}

/// What a worker answers.
enum Outcome {
    Hashed(String),
    Verified(bool),
}

struct Job {
    task: Task,
    reply: tokio::sync::oneshot::Sender<Result<Outcome, AuthError>>,
}

/// A handle to the hashing threads; cheap to clone.
#[derive(Clone)]
pub struct HashPool {
    sender: SyncSender<Job>,
    threads: usize,
}

impl std::fmt::Debug for HashPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashPool")
            .field("threads", &self.threads)
            .finish_non_exhaustive()
    }
}

/// The default number of hashing threads: one per core but one, at least one.
pub fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(2, usize::from)
        .saturating_sub(1)
        .max(1)
}

impl HashPool {
    /// Starts `threads` workers (at least one) behind a queue of `queue` jobs.
    pub fn start(params: Params, threads: usize, queue: usize) -> Result<Self, AuthError> {
        let threads = threads.max(1);
        let (sender, receiver) = mpsc::sync_channel::<Job>(queue.max(1));
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..threads {
            let receiver = receiver.clone();
            let params = params.clone();
            std::thread::Builder::new()
                .name(format!("protium-hash-{n}"))
                .spawn(move || work(&receiver, &params))
                .map_err(|e| {
                    let text = format!("cannot start a hashing thread: {e}");
                    AuthError::Hash(Failure::caused_by(text, e))
                })?;
        }
        Ok(Self { sender, threads })
    }

    /// A PHC string of `password` with a fresh salt.
    pub async fn hash(&self, password: &Password) -> Result<String, AuthError> {
        match self.submit(Task::Hash(password.clone())).await? {
            Outcome::Hashed(phc) => Ok(phc),
            Outcome::Verified(_) => Err(AuthError::Hash(Failure::new("unexpected answer"))),
        }
    }

    /// Whether `password` matches `phc`; without one, spends a hash's time and
    /// answers false (unknown accounts cost what known ones do).
    pub async fn verify(
        &self,
        password: &Password,
        phc: Option<String>,
    ) -> Result<bool, AuthError> {
        match self.submit(Task::Verify(password.clone(), phc)).await? {
            Outcome::Verified(ok) => Ok(ok),
            Outcome::Hashed(_) => Err(AuthError::Hash(Failure::new("unexpected answer"))),
        }
    }

    async fn submit(&self, task: Task) -> Result<Outcome, AuthError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        match self.sender.try_send(Job { task, reply }) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(AuthError::Busy),
            Err(TrySendError::Disconnected(_)) => {
                return Err(AuthError::Hash(Failure::new("the hashing threads stopped")))
            }
        }
        answer
            .await
            .map_err(|e| AuthError::Hash(Failure::caused_by("a hashing thread stopped", e)))?
    }
}

/// One worker: takes jobs until every handle is gone.
fn work(receiver: &Mutex<Receiver<Job>>, params: &Params) {
    lower_priority();
    let mut memory: Vec<Block> = Vec::new();
    loop {
        let next = match receiver.lock() {
            Ok(guard) => guard.recv_timeout(IDLE_RELEASE),
            Err(_) => return,
        };
        match next {
            Ok(job) => {
                if memory.len() != params.block_count() {
                    memory = vec![Block::new(); params.block_count()];
                }
                let outcome = run(&job.task, params, &mut memory);
                // The requester may have gone away (a dropped request): nothing to do.
                let _ = job.reply.send(outcome);
            }
            Err(RecvTimeoutError::Timeout) => memory = Vec::new(),
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Lowers the calling thread's priority to nice 10 under `SCHED_BATCH`;
/// failing that, hashing still works at normal priority.
fn lower_priority() {
    use thread_priority::unix::{
        set_thread_priority_and_policy, thread_native_id, NormalThreadSchedulePolicy,
        ThreadSchedulePolicy,
    };
    use thread_priority::{ThreadPriority, ThreadPriorityValue};
    // The crate maps 0..=99 onto nice 19..=-20; 22 is nice 10.
    let lowered = ThreadPriorityValue::try_from(22u8)
        .map_err(|e| e.to_string())
        .and_then(|value| {
            set_thread_priority_and_policy(
                thread_native_id(),
                ThreadPriority::Crossplatform(value),
                ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Batch),
            )
            .map_err(|e| e.to_string())
        });
    if let Err(e) = lowered {
        tracing::warn!(error = %e, "cannot lower the priority of a password hashing thread");
    }
}

fn run(task: &Task, params: &Params, memory: &mut [Block]) -> Result<Outcome, AuthError> {
    match task {
        Task::Hash(password) => hash(password.expose(), params, memory).map(Outcome::Hashed),
        Task::Verify(password, phc) => Ok(Outcome::Verified(verify(
            password.expose(),
            phc.as_deref(),
            params,
            memory,
        ))),
    }
}

fn argon2(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

/// A PHC string of `password` with a fresh salt, hashed in `memory`.
pub fn hash(password: &str, params: &Params, memory: &mut [Block]) -> Result<String, AuthError> {
    /// A library error of hashing, in its own words.
    fn fail(e: impl std::error::Error + Send + Sync + 'static) -> AuthError {
        AuthError::Hash(Failure::of(e))
    }
    let salt = Salt::generate();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2(params)
        .hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, &mut *memory)
        .map_err(fail)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: params.try_into().map_err(fail)?,
        salt: Some(salt),
        hash: Some(Output::new(&out).map_err(fail)?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches `phc` (compared in constant time). Without a
/// stored hash, one hash is computed anyway and the answer is false.
pub fn verify(password: &str, phc: Option<&str>, params: &Params, memory: &mut [Block]) -> bool {
    let Some(stored) = phc.and_then(|p| PasswordHash::new(p).ok()) else {
        let _ = hash(password, params, memory);
        return false;
    };
    let (Some(salt), Some(expected)) = (&stored.salt, &stored.hash) else {
        return false;
    };
    let Ok(stored_params) = Params::try_from(&stored) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(stored.algorithm.as_str()) else {
        return false;
    };
    let version = stored
        .version
        .and_then(|v| Version::try_from(v).ok())
        .unwrap_or_default();
    let mut out = vec![0u8; expected.len()];
    let engine = Argon2::new(algorithm, version, stored_params.clone());
    let computed = if stored_params.block_count() <= memory.len() {
        engine.hash_password_into_with_memory(password.as_bytes(), salt.as_ref(), &mut out, memory)
    } else {
        // A hash made with larger parameters than ours (an import): its own memory.
        engine.hash_password_into(password.as_bytes(), salt.as_ref(), &mut out)
    };
    computed.is_ok() && Output::new(&out).is_ok_and(|o| &o == expected)
}
