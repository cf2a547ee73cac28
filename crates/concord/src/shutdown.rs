//! The one shutdown signal of a long-running Concord: Ctrl-C in a terminal, SIGTERM from systemd or a
//! container runtime. Either lets the engine finish the job in hand and release its leases.

/// Resolves on the first SIGINT or SIGTERM. Without a SIGTERM handler the service manager's stop
/// would kill the process mid-job: safe (crash-safety holds) but slower to resume, since leases must
/// expire before another process takes the jobs over.
pub async fn signalled() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}
