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
    /// Starting a single sign-on (each start fetches from the provider).
    SingleSignOn,
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
        let ip = group(client.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)));
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

/// The address an allowance is kept for. One IPv6 subscriber gets a whole /64 (and
/// often more), so counting single IPv6 addresses would let one attacker rotate through
/// billions: they are counted by /64. IPv4-mapped IPv6 counts as the IPv4 address.
fn group(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(std::net::Ipv6Addr::from(bits))
            }
        },
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

    #[test]
    fn ipv6_addresses_share_their_64() {
        let throttle = Throttle::new(2);
        let one: Option<IpAddr> = Some("2001:db8:1:2::1".parse().expect("ip"));
        let same_64: Option<IpAddr> = Some("2001:db8:1:2:ffff:ffff:ffff:ffff".parse().expect("ip"));
        let other_64: Option<IpAddr> = Some("2001:db8:1:3::1".parse().expect("ip"));
        assert!(throttle.check(Door::SignIn, one).is_ok());
        assert!(throttle.check(Door::SignIn, same_64).is_ok());
        assert!(throttle.check(Door::SignIn, one).is_err());
        assert!(throttle.check(Door::SignIn, same_64).is_err());
        assert!(throttle.check(Door::SignIn, other_64).is_ok());
        let mapped: Option<IpAddr> = Some("::ffff:10.0.0.9".parse().expect("ip"));
        let plain: Option<IpAddr> = Some("10.0.0.9".parse().expect("ip"));
        assert!(throttle.check(Door::SignIn, mapped).is_ok());
        assert!(throttle.check(Door::SignIn, plain).is_ok());
        assert!(throttle.check(Door::SignIn, mapped).is_err());
    }

    #[test]
    fn an_allowance_holds_under_concurrency() {
        let throttle = std::sync::Arc::new(Throttle::new(10));
        let address: Option<IpAddr> = Some("192.0.2.7".parse().expect("ip"));
        let passed = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (throttle, passed) = (throttle.clone(), passed.clone());
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        if throttle.check(Door::SignIn, address).is_ok() {
                            passed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        }
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().expect("thread");
        }
        assert_eq!(passed.load(std::sync::atomic::Ordering::SeqCst), 10);
    }
}
