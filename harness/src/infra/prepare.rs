//! What a Spark line needs before its first run, made side by side: the image chain (debootstrap,
//! then apt and pip inside `docker build`, then an app's layer) and the venv chain (pip on the
//! host: the drivers' venv, an app's layer, the Connect client). Neither reads the other's
//! output, each takes minutes on a fresh machine, and one waits on the network while the other
//! unpacks: one after the other they cost the sum, side by side about the longer of the two.
//! They never share a folder or a tag (`infra::image`, `infra::venv`), so they cannot race.

use crate::error::Result;

/// Runs `images` on this thread and `venvs` on another; both finish before it returns. The
/// image chain's error is reported first (it is usually the one a user must act on: Docker,
/// the base), then the venv chain's; a panic in either is carried on as a panic.
pub fn side_by_side<I: Send, V: Send>(
    images: impl FnOnce() -> Result<I> + Send,
    venvs: impl FnOnce() -> Result<V> + Send,
) -> Result<(I, V)> {
    std::thread::scope(|s| {
        let other = s.spawn(venvs);
        let images = images();
        let venvs = other
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok((images?, venvs?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use std::sync::Barrier;

    #[test]
    fn both_chains_run_at_once() {
        // Each chain waits for the other to have started: one after the other, this would hang.
        let met = Barrier::new(2);
        let (a, b) = side_by_side(
            || {
                met.wait();
                Ok(1)
            },
            || {
                met.wait();
                Ok("venv")
            },
        )
        .unwrap();
        assert_eq!((a, b), (1, "venv"));
    }

    #[test]
    fn the_image_chains_error_comes_first_and_the_venv_chain_still_finishes() {
        let finished = std::sync::atomic::AtomicBool::new(false);
        let e = side_by_side::<(), ()>(
            || Err(Error::setup("no Docker daemon")),
            || {
                finished.store(true, std::sync::atomic::Ordering::SeqCst);
                Err(Error::setup("pip failed"))
            },
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "no Docker daemon");
        assert!(finished.load(std::sync::atomic::Ordering::SeqCst));
        let e = side_by_side::<(), ()>(|| Ok(()), || Err(Error::setup("pip failed"))).unwrap_err();
        assert_eq!(e.to_string(), "pip failed");
    }
}
