//! Per-address limits on the doors attackers knock at: sign-in, token, refresh and
//! password reset. They hold per instance (in memory); the per-account lockout, which
//! lives in PostgreSQL, holds across instances.

use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Door {
    SignIn,
    Token,
    Refresh,
    PasswordReset,
    /// Applicants making accounts on a college's public application page.
    SignUp,
}

pub struct Throttle {
    limiter: DefaultKeyedRateLimiter<(Door, IpAddr)>,
}

impl Throttle {
    pub fn new(per_minute: u32) -> Throttle {
        let burst = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        Throttle {
            limiter: RateLimiter::keyed(Quota::per_minute(burst)),
        }
    }

    /// Counts an attempt at `door` from `client`; refuses once the minute's allowance is
    /// spent. Requests without a known address share one allowance.
    pub fn check(&self, door: Door, client: Option<IpAddr>) -> Result<(), AppError> {
        let ip = client.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        self.limiter
            .check_key(&(door, ip))
            .map_err(|_| AppError::TooManyRequests {
                retry_after_secs: 60,
            })
    }

    /// Forgets addresses that have been quiet, so memory does not grow.
    pub fn tidy(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_each_address_and_door_separately() {
        let throttle = Throttle::new(3);
        let a = Some("10.0.0.1".parse().expect("ip"));
        let b = Some("10.0.0.2".parse().expect("ip"));
        for _ in 0..3 {
            assert!(throttle.check(Door::SignIn, a).is_ok());
        }
        assert!(throttle.check(Door::SignIn, a).is_err());
        assert!(throttle.check(Door::SignIn, b).is_ok());
        assert!(throttle.check(Door::Refresh, a).is_ok());
    }
}
