//! CPU time and peak resident memory of this process, from `/proc` (Linux). Elsewhere both read 0,
//! and the report says so rather than guessing.

/// Clock ticks per second of `/proc/<pid>/stat` (`USER_HZ`): 100 on every mainstream Linux ABI.
const USER_HZ: f64 = 100.0;

/// CPU and peak memory of one process so far.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Usage {
    pub cpu_seconds: f64,
    pub peak_rss_mb: f64,
}

/// User plus system CPU seconds this process has used so far (every thread).
pub fn cpu_seconds() -> f64 {
    cpu_seconds_of("self")
}

/// The same for another process (`pid` as in `/proc/<pid>`), e.g. the emulator child.
pub fn usage_of(pid: &str) -> Usage {
    Usage {
        cpu_seconds: cpu_seconds_of(pid),
        peak_rss_mb: kb_of(pid, "VmHWM:"),
    }
}

fn cpu_seconds_of(pid: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| parse_stat_cpu(&s))
        .unwrap_or(0.0)
}

fn kb_of(pid: &str, key: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| parse_kb(&s, key))
        .map_or(0.0, |kb| kb / 1024.0)
}

/// `utime` and `stime` are fields 14 and 15; the command name (field 2) may hold spaces, so
/// count from the closing parenthesis.
fn parse_stat_cpu(stat: &str) -> Option<f64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After ")" the first field is field 3 (state), so utime (14) is index 11, stime (15) index 12.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / USER_HZ)
}

/// Resets the kernel's peak-RSS mark (`VmHWM`) to the current RSS, so a later [`peak_rss_mb`]
/// measures only what follows (here: the run, not the parse of a large scenario file). Writing
/// `5` to `/proc/self/clear_refs` does that (Linux 4.0+); returns false where it is not possible.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Resident set size now (`VmRSS`) in MiB.
pub fn rss_mb() -> f64 {
    kb_of("self", "VmRSS:")
}

/// Peak resident set size (`VmHWM`) in MiB.
pub fn peak_rss_mb() -> f64 {
    kb_of("self", "VmHWM:")
}

fn parse_kb(status: &str, key: &str) -> Option<f64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_is_read_past_a_command_name_with_spaces() {
        let stat = "42 (tokio (rt) x) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 8 0 1 2 3";
        assert_eq!(parse_stat_cpu(stat), Some(3.0));
    }

    #[test]
    fn peak_rss_comes_from_vm_hwm() {
        let status = "Name:\tconcord\nVmPeak:\t  900 kB\nVmHWM:\t   20480 kB\nVmRSS:\t 1000 kB\n";
        assert_eq!(parse_kb(status, "VmHWM:"), Some(20480.0));
        assert_eq!(parse_kb(status, "VmRSS:"), Some(1000.0));
    }

    #[test]
    fn this_process_reports_some_memory() {
        assert!(peak_rss_mb() > 0.0);
        assert!(cpu_seconds() >= 0.0);
    }
}
