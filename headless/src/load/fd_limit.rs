//! File descriptors for many sockets: every guest holds one socket (plus a pooled HTTP
//! connection now and then). Most shells start with a soft limit of 1024; the hard limit is
//! usually far higher, and a process may raise its own soft limit up to it without privileges.

/// Descriptors kept free for stdio, the HTTP pool, DNS and the runtime.
const HEADROOM: u64 = 256;

/// The outcome of [`ensure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FdLimit {
    /// Enough descriptors (the soft limit, possibly raised).
    Enough(u64),
    /// Not enough even after raising the soft limit to the hard one.
    TooFew {
        /// The limit now in force.
        limit: u64,
        /// How many the run needs.
        needed: u64,
    },
}

/// Makes room for `guests` sockets by raising the soft `RLIMIT_NOFILE` towards the hard limit.
pub fn ensure(guests: usize) -> FdLimit {
    let needed = guests as u64 + HEADROOM;
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we own; no other memory is touched.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return FdLimit::Enough(needed); // unknown: let the sockets tell
    }
    if limit.rlim_cur >= needed {
        return FdLimit::Enough(limit.rlim_cur);
    }
    let raised = libc::rlimit {
        rlim_cur: needed.min(limit.rlim_max),
        rlim_max: limit.rlim_max,
    };
    // SAFETY: setrlimit only reads the struct we pass.
    let current = if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
        raised.rlim_cur
    } else {
        limit.rlim_cur
    };
    if current >= needed {
        FdLimit::Enough(current)
    } else {
        FdLimit::TooFew {
            limit: current,
            needed,
        }
    }
}
