//! The allocator's settings. Under glibc every thread that allocates while another holds an arena
//! gets an arena of its own (up to eight per core), and memory freed in one arena serves no other:
//! with a blocking thread per database connection, a service whose live data is about 100 MiB
//! kept twice that resident. Two arenas per core (one per core measured 5–10 % slower), large
//! blocks (Argon2's memory, a PDF) mapped and given back whole when freed, and free memory at the
//! top of the heap returned past 1 MiB keep resident memory near the live data at the same
//! throughput (`docs/performance.md`). An operator's `GLIBC_TUNABLES` or `MALLOC_ARENA_MAX` wins.

/// Applies the settings; call it before the server's threads start.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        if std::env::var_os("GLIBC_TUNABLES").is_some() || std::env::var_os("MALLOC_ARENA_MAX").is_some() {
            return;
        }
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let arenas = libc::c_int::try_from(2 * cores).unwrap_or(libc::c_int::MAX);
        // A fixed threshold also stops glibc raising it after a large block is freed, which
        // would keep every later large block in an arena.
        const LARGE: libc::c_int = 128 * 1024;
        const TRIMMED_PAST: libc::c_int = 1024 * 1024;
        for (option, value) in [
            (libc::M_ARENA_MAX, arenas),
            (libc::M_MMAP_THRESHOLD, LARGE),
            (libc::M_TRIM_THRESHOLD, TRIMMED_PAST),
        ] {
            // SAFETY: mallopt only changes the allocator's parameters; it is thread-safe and
            // takes no pointers.
            if unsafe { libc::mallopt(option, value) } != 1 {
                tracing::warn!("the allocator refused setting {option} to {value}");
            }
        }
    }
}
