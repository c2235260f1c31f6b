//! Locking of local state, as Terraform's local backend does it, so that two processes can
//! never write the same state at once.
//!
//! The lock is an exclusive `flock` on the lock information file next to the state
//! (`.terraform.tfstate.lock.info` for `terraform.tfstate`), which holds the holder's
//! details as Terraform writes them (`{"ID", "Operation", "Info", "Who", "Version",
//! "Created", "Path"}`). An OS lock dies with its process, so a crashed holder (even
//! `kill -9`) never blocks anyone: a leftover information file whose OS lock is free is
//! simply taken over. The file is removed on release.
//!
//! Terraform itself locks the state file with a POSIX record lock; a state held that way
//! (by a running `terraform`) is reported as locked too.

use serde::{Deserialize, Serialize};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Who holds a lock and why, as Terraform records it in the lock information file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LockInfo {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "Operation")]
    pub operation: String,
    #[serde(rename = "Info")]
    pub info: String,
    #[serde(rename = "Who")]
    pub who: String,
    #[serde(rename = "Version")]
    pub version: String,
    /// RFC 3339 with nanoseconds, in UTC (Go's `time.Time` JSON form).
    #[serde(rename = "Created")]
    pub created: String,
    #[serde(rename = "Path")]
    pub path: String,
}

impl LockInfo {
    /// Details for a new lock taken now by this process for `operation`.
    pub fn new(operation: &str, state_path: &Path) -> LockInfo {
        LockInfo {
            id: crate::new_lineage(),
            operation: operation.to_string(),
            info: String::new(),
            who: format!("{}@{}", user_name(), host_name()),
            version: env!("CARGO_PKG_VERSION").to_string(),
            created: go_rfc3339_nano(chrono::Utc::now()),
            path: state_path.display().to_string(),
        }
    }

    /// The "Lock Info:" block Terraform prints for a held lock.
    pub fn describe(&self) -> String {
        format!(
            "Lock Info:\n  ID:        {}\n  Path:      {}\n  Operation: {}\n  Who:       {}\n  Version:   {}\n  Created:   {}\n  Info:      {}\n",
            self.id,
            self.path,
            self.operation,
            self.who,
            self.version,
            go_time_string(&self.created),
            self.info
        )
    }
}

/// Why a lock could not be taken or released.
#[derive(Debug)]
pub enum LockError {
    /// Someone else holds the lock (their details when they could be read).
    Held {
        state_path: PathBuf,
        holder: Option<Box<LockInfo>>,
        /// Set when the holder is a process locking the state file itself (Terraform).
        holder_pid: Option<i32>,
    },
    /// `force_unlock` was given an ID that is not the current lock's.
    WrongId {
        given: String,
        current: Option<Box<LockInfo>>,
    },
    /// `force_unlock` found no lock.
    NotLocked(PathBuf),
    Io(PathBuf, std::io::Error),
}

impl LockError {
    /// The detail of Terraform's "Error acquiring the state lock" diagnostic.
    pub fn acquire_detail(&self) -> String {
        format!(
            "Error message: {self}\n\nterrane acquires a state lock to protect the state from being written\nby multiple users at the same time. Please resolve the issue above and try\nagain. For most commands, you can disable locking with the \"-lock=false\"\nflag, but this is not recommended."
        )
    }
}

impl std::fmt::Display for LockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockError::Held {
                state_path,
                holder,
                holder_pid,
            } => {
                f.write_str("resource temporarily unavailable")?;
                if let Some(pid) = holder_pid {
                    write!(
                        f,
                        " (the state file {} is locked by process {pid})",
                        state_path.display()
                    )?;
                }
                match holder {
                    Some(info) => write!(f, "\n{}", info.describe()),
                    None => write!(
                        f,
                        "\nThe holder's lock information ({}) could not be read.",
                        lock_info_path(state_path).display()
                    ),
                }
            }
            LockError::WrongId { given, current } => {
                let current_id = current.as_ref().map(|i| i.id.as_str()).unwrap_or("");
                write!(f, "invalid lock id: {given:?}. current id: {current_id:?}")?;
                if let Some(info) = current {
                    write!(f, "\n{}", info.describe())?;
                }
                Ok(())
            }
            LockError::NotLocked(p) => write!(f, "the state at {} is not locked", p.display()),
            LockError::Io(p, e) => write!(f, "{}: {e}", p.display()),
        }
    }
}

impl std::error::Error for LockError {}

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct StateLock {
    file: File,
    info_path: PathBuf,
    info: LockInfo,
}

impl StateLock {
    pub fn info(&self) -> &LockInfo {
        &self.info
    }

    /// Releases the lock now (dropping it does the same).
    pub fn unlock(self) {}
}

impl Drop for StateLock {
    fn drop(&mut self) {
        // Remove the information file only while it is still ours (force-unlock may have
        // handed the path to a new holder), then let the OS lock go with the descriptor.
        if same_file(&self.file, &self.info_path) {
            let _ = fs::remove_file(&self.info_path);
        }
        let _ = rustix::fs::flock(&self.file, rustix::fs::FlockOperation::Unlock);
    }
}

/// The lock information file of a state file, named as Terraform names it: a dot, the
/// state file's name without a leading dot, and `.lock.info`.
pub fn lock_info_path(state_path: &Path) -> PathBuf {
    let name = state_path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "terraform.tfstate".to_string());
    let name = name.strip_prefix('.').unwrap_or(&name);
    let dir = state_path.parent().unwrap_or(Path::new(""));
    dir.join(format!(".{name}.lock.info"))
}

/// Takes the lock of the state at `state_path` for `operation`, retrying until `timeout`
/// has passed; fails naming the holder.
pub fn lock(state_path: &Path, operation: &str, timeout: Duration) -> Result<StateLock, LockError> {
    let deadline = Instant::now() + timeout;
    let mut delay = Duration::from_millis(50);
    loop {
        match try_lock(state_path, operation) {
            Err(held @ LockError::Held { .. }) => {
                let now = Instant::now();
                if now >= deadline {
                    return Err(held);
                }
                std::thread::sleep(delay.min(deadline - now));
                delay = (delay * 2).min(Duration::from_secs(1));
            }
            other => return other,
        }
    }
}

/// One attempt at taking the lock.
fn try_lock(state_path: &Path, operation: &str) -> Result<StateLock, LockError> {
    let info_path = lock_info_path(state_path);
    let io = |e| LockError::Io(info_path.clone(), e);
    if let Some(dir) = info_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(io)?;
    }
    loop {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&info_path)
            .map_err(io)?;
        match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {}
            Err(e) if e == rustix::io::Errno::WOULDBLOCK || e == rustix::io::Errno::INTR => {
                return Err(LockError::Held {
                    state_path: state_path.to_path_buf(),
                    holder: read_info(&mut file),
                    holder_pid: None,
                });
            }
            Err(e) => return Err(io(e.into())),
        }
        // The holder we waited for may have removed the file as it released it; a lock on
        // a removed file protects nothing, so start again with the file now at the path.
        if !same_file(&file, &info_path) {
            continue;
        }
        if let Some(pid) = posix_lock_holder(state_path) {
            let holder = fs::read(&info_path)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok());
            // The information file belongs to the other process: leave it in place.
            let _ = rustix::fs::flock(&file, rustix::fs::FlockOperation::Unlock);
            return Err(LockError::Held {
                state_path: state_path.to_path_buf(),
                holder,
                holder_pid: Some(pid),
            });
        }
        let info = LockInfo::new(operation, state_path);
        let text = serde_json::to_vec(&info).map_err(|e| io(std::io::Error::other(e)))?;
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        file.write_all(&text).map_err(io)?;
        file.sync_all().map_err(io)?;
        return Ok(StateLock {
            file,
            info_path,
            info,
        });
    }
}

/// The lock holder's details from its information file, if it wrote them.
fn read_info(file: &mut File) -> Option<Box<LockInfo>> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

/// Whether the open file is the one at `path` now.
fn same_file(file: &File, path: &Path) -> bool {
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// The process holding a POSIX record lock on the state file (as Terraform locks it), if
/// any other process does.
fn posix_lock_holder(state_path: &Path) -> Option<i32> {
    use rustix::process::{fcntl_getlk, Flock, FlockOffsetType, FlockType};
    let file = File::open(state_path).ok()?;
    let probe = Flock {
        start: 0,
        length: 0,
        pid: None,
        typ: FlockType::WriteLock,
        offset_type: FlockOffsetType::Set,
    };
    let conflict = fcntl_getlk(&file, &probe).ok()??;
    Some(conflict.pid.map(|p| p.as_raw_nonzero().get()).unwrap_or(0))
}

/// The current lock's details, if the state is locked (or a crashed holder left them).
pub fn current_lock_info(state_path: &Path) -> Option<LockInfo> {
    let text = fs::read(lock_info_path(state_path)).ok()?;
    serde_json::from_slice(&text).ok()
}

/// Removes the lock of the state at `state_path` if its ID is `id`, whoever holds it: a
/// live holder keeps running but no longer excludes anyone. Refuses another ID, and a
/// lock a running Terraform holds on the state file itself.
pub fn force_unlock(state_path: &Path, id: &str) -> Result<(), LockError> {
    let info_path = lock_info_path(state_path);
    let mut file = match File::open(&info_path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(LockError::NotLocked(state_path.to_path_buf()))
        }
        Err(e) => return Err(LockError::Io(info_path, e)),
    };
    let current = read_info(&mut file);
    match &current {
        Some(info) if info.id == id => {}
        _ => {
            return Err(LockError::WrongId {
                given: id.to_string(),
                current,
            })
        }
    }
    if let Some(pid) = posix_lock_holder(state_path) {
        // A running Terraform holds the state file itself; that lock cannot be broken.
        return Err(LockError::Held {
            state_path: state_path.to_path_buf(),
            holder: current,
            holder_pid: Some(pid),
        });
    }
    match fs::remove_file(&info_path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(LockError::Io(info_path, e)),
    }
}

/// Parses a duration as Go's `time.ParseDuration` does (`-lock-timeout=10s`, `2m`,
/// `1h30m`, `1.5s`, `300ms`, `0`). Negative durations count as zero.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let invalid = || format!("time: invalid duration {}", crate::address::go_quote(text));
    let mut s = text;
    let negative = s.starts_with('-');
    s = s.strip_prefix(['-', '+']).unwrap_or(s);
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total = 0f64;
    while !s.is_empty() {
        let num_end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let number = &s[..num_end];
        if number.is_empty() || number == "." {
            return Err(invalid());
        }
        let value: f64 = number.parse().map_err(|_| invalid())?;
        s = &s[num_end..];
        let unit_end = s
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(s.len());
        let nanos_per_unit = match &s[..unit_end] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => {
                return Err(format!(
                    "time: missing unit in duration {}",
                    crate::address::go_quote(text)
                ))
            }
            unit => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    crate::address::go_quote(unit),
                    crate::address::go_quote(text)
                ))
            }
        };
        total += value * nanos_per_unit;
        s = &s[unit_end..];
    }
    if negative {
        return Ok(Duration::ZERO);
    }
    Ok(Duration::from_nanos(
        total.round().min(u64::MAX as f64) as u64
    ))
}

/// A time as Go's `time.RFC3339Nano` formats it (trailing zeros of the fraction dropped).
fn go_rfc3339_nano(t: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "{}{}Z",
        t.format("%Y-%m-%dT%H:%M:%S"),
        go_fraction(t.timestamp_subsec_nanos())
    )
}

fn go_fraction(nanos: u32) -> String {
    if nanos == 0 {
        return String::new();
    }
    let digits = format!("{nanos:09}");
    format!(".{}", digits.trim_end_matches('0'))
}

/// A lock's creation time as Go's `time.Time.String` prints it
/// (`2021-08-01 12:34:56.123456789 +0000 UTC`); other text is shown as it is.
fn go_time_string(created: &str) -> String {
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(created) else {
        return created.to_string();
    };
    let offset = t.offset().local_minus_utc();
    let zone = if offset == 0 {
        "+0000 UTC".to_string()
    } else {
        let z = t.format("%z").to_string();
        format!("{z} {z}")
    };
    format!(
        "{}{} {zone}",
        t.format("%Y-%m-%d %H:%M:%S"),
        go_fraction(t.timestamp_subsec_nanos())
    )
}

/// The user's login name, as Go's `user.Current` finds it (the password database entry of
/// the real user ID), else `$USER`.
fn user_name() -> String {
    let uid = rustix::process::getuid().as_raw();
    if let Ok(passwd) = fs::read_to_string("/etc/passwd") {
        for line in passwd.lines() {
            let fields: Vec<&str> = line.split(':').collect();
            if fields.len() > 2 && fields[2].parse::<u32>() == Ok(uid) {
                return fields[0].to_string();
            }
        }
    }
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_default()
}

fn host_name() -> String {
    rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_go_parses_them() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("300ms"), Ok(Duration::from_millis(300)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("-3s"), Ok(Duration::ZERO));
        assert_eq!(
            parse_duration("10"),
            Err("time: missing unit in duration \"10\"".into())
        );
        assert!(parse_duration("").is_err());
        assert!(parse_duration("5x").is_err());
    }

    #[test]
    fn lock_info_file_names() {
        assert_eq!(
            lock_info_path(Path::new("terraform.tfstate")),
            Path::new(".terraform.tfstate.lock.info")
        );
        assert_eq!(
            lock_info_path(Path::new("d/.x.tfstate")),
            Path::new("d/.x.tfstate.lock.info")
        );
    }

    #[test]
    fn times_as_go_prints_them() {
        assert_eq!(
            go_time_string("2021-08-01T12:34:56.123456789Z"),
            "2021-08-01 12:34:56.123456789 +0000 UTC"
        );
        assert_eq!(
            go_time_string("2021-08-01T12:34:56.5+02:00"),
            "2021-08-01 12:34:56.5 +0200 +0200"
        );
        let t = chrono::DateTime::parse_from_rfc3339("2021-08-01T12:34:56.120Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(go_rfc3339_nano(t), "2021-08-01T12:34:56.12Z");
    }

    #[test]
    fn second_locker_waits_then_fails_naming_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("terraform.tfstate");
        let held = lock(&state, "OperationTypeApply", Duration::ZERO).unwrap();
        let info: LockInfo =
            serde_json::from_slice(&fs::read(lock_info_path(&state)).unwrap()).unwrap();
        assert_eq!(info, *held.info());
        assert!(info.who.contains('@'));

        let path = state.clone();
        let started = Instant::now();
        let other = std::thread::spawn(move || lock(&path, "state-rm", Duration::from_millis(400)))
            .join()
            .unwrap();
        assert!(started.elapsed() >= Duration::from_millis(400));
        match other {
            Err(LockError::Held { holder, .. }) => {
                assert_eq!(holder.unwrap().id, held.info().id)
            }
            other => panic!("expected a held lock, got {other:?}"),
        }
        let message = lock(&state, "state-rm", Duration::ZERO)
            .unwrap_err()
            .to_string();
        assert!(message.contains(&format!("ID:        {}", held.info().id)));
        assert!(message.contains("Operation: OperationTypeApply"));

        // Released while the other one waits: the waiter gets it.
        let path = state.clone();
        let waiter = std::thread::spawn(move || lock(&path, "taint", Duration::from_secs(10)));
        std::thread::sleep(Duration::from_millis(200));
        drop(held);
        let second = waiter.join().unwrap().unwrap();
        assert_eq!(current_lock_info(&state).unwrap().operation, "taint");
        drop(second);
        assert!(!lock_info_path(&state).exists());
    }

    #[test]
    fn a_stale_lock_file_does_not_block() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("terraform.tfstate");
        let stale = LockInfo::new("OperationTypeApply", &state);
        fs::write(lock_info_path(&state), serde_json::to_vec(&stale).unwrap()).unwrap();
        let fresh = lock(&state, "state-mv", Duration::ZERO).unwrap();
        assert_ne!(fresh.info().id, stale.id);
    }

    #[test]
    fn force_unlock_checks_the_id() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("terraform.tfstate");
        assert!(matches!(
            force_unlock(&state, "x"),
            Err(LockError::NotLocked(_))
        ));
        let held = lock(&state, "OperationTypeApply", Duration::ZERO).unwrap();
        let wrong = force_unlock(&state, "not-the-id").unwrap_err();
        assert!(wrong
            .to_string()
            .starts_with("invalid lock id: \"not-the-id\". current id: "));
        assert!(lock(&state, "x", Duration::ZERO).is_err());
        force_unlock(&state, &held.info().id.clone()).unwrap();
        // The broken lock no longer excludes anyone, and its old holder does not remove
        // the new holder's file when it lets go.
        let next = lock(&state, "state-rm", Duration::ZERO).unwrap();
        drop(held);
        assert_eq!(current_lock_info(&state).unwrap().id, next.info().id);
    }

    #[test]
    fn terraform_record_locks_are_respected() {
        // Terraform locks the state file itself with fcntl; a process holding such a
        // lock (here a child process) must be reported as the holder.
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("terraform.tfstate");
        fs::write(&state, "").unwrap();
        let script = format!(
            "import fcntl,time\nf=open({:?},'r+')\nfcntl.lockf(f,fcntl.LOCK_EX)\nprint('locked',flush=True)\ntime.sleep(5)\n",
            state.display().to_string()
        );
        let Ok(mut child) = std::process::Command::new("python3")
            .arg("-c")
            .arg(script)
            .stdout(std::process::Stdio::piped())
            .spawn()
        else {
            return; // no python3 to hold a record lock with
        };
        let mut line = String::new();
        let stdout = child.stdout.take().unwrap();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).unwrap();
        let result = lock(&state, "state-rm", Duration::ZERO);
        let terraform_info = LockInfo::new("OperationTypeApply", &state);
        fs::write(
            lock_info_path(&state),
            serde_json::to_vec(&terraform_info).unwrap(),
        )
        .unwrap();
        let unlock = force_unlock(&state, &terraform_info.id);
        let _ = child.kill();
        let _ = child.wait();
        match result {
            Err(LockError::Held { holder_pid, .. }) => {
                assert_eq!(holder_pid, Some(child.id() as i32))
            }
            other => panic!("expected a held lock, got {other:?}"),
        }
        assert!(matches!(unlock, Err(LockError::Held { .. })));
    }
}
