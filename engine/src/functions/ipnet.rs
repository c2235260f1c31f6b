//! Built-in functions: IP network family (`cidrhost`, `cidrnetmask`, `cidrsubnet`,
//! `cidrsubnets`), for IPv4 and IPv6.
//!
//! Addresses are parsed as Terraform 1.0's Go 1.16 `net.ParseCIDR` does (IPv4 octets may
//! have leading zeros) and the arithmetic follows the go-cidr library Terraform uses, with
//! arbitrary-size host and network numbers, down to its handling of negative numbers.

use super::crypto::WHOLE_INT_REQUIRED;
use super::{string_return, FnContext, FnError, FnResult, Param, Registry};
use crate::number::Number;
use crate::value::{Type, Value};
use num_bigint::{BigInt, Sign};
use std::net::Ipv6Addr;

pub(super) fn register(r: &mut Registry) {
    r.add(
        "cidrhost",
        vec![
            Param::new("prefix", Type::String),
            Param::new("hostnum", Type::Number),
        ],
        string_return,
        cidrhost,
    );
    r.add(
        "cidrnetmask",
        vec![Param::new("prefix", Type::String)],
        string_return,
        cidrnetmask,
    );
    r.add(
        "cidrsubnet",
        vec![
            Param::new("prefix", Type::String),
            Param::new("newbits", Type::Number),
            Param::new("netnum", Type::Number),
        ],
        string_return,
        cidrsubnet,
    );
    r.add_variadic(
        "cidrsubnets",
        vec![Param::new("prefix", Type::String)],
        Param::new("newbits", Type::Number),
        |_| Type::list(Type::String),
        cidrsubnets,
    );
}

/// An IP network: its (masked) address, the address size in bits (32 or 128) and the
/// prefix length. `mapped` marks an IPv4-mapped IPv6 address, which Go treats partly as
/// IPv4.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Network {
    addr: u128,
    bits: u32,
    prefix: u32,
    mapped: bool,
}

impl Network {
    fn mask(&self) -> u128 {
        mask(self.prefix, self.bits)
    }
    fn last(&self) -> u128 {
        self.addr | (all_ones(self.bits) & !self.mask())
    }
    fn contains(&self, addr: u128) -> bool {
        addr & self.mask() == self.addr
    }
    /// The network as Go's `IPNet.String` writes it: an IPv4-mapped IPv6 network is shown as
    /// IPv4, with the mask's last 32 bits as its prefix.
    fn text(&self) -> String {
        let prefix = if self.mapped && self.bits == 128 {
            self.prefix.saturating_sub(96)
        } else {
            self.prefix
        };
        format!("{}/{}", ip_text(self.addr, self.bits), prefix)
    }
}

fn all_ones(bits: u32) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

/// The mask of a prefix length (Go's `net.CIDRMask`).
fn mask(prefix: u32, bits: u32) -> u128 {
    let host = bits.saturating_sub(prefix);
    all_ones(bits) & !all_ones(host)
}

/// An address as Go's `net.IP.String` writes it.
fn ip_text(addr: u128, bits: u32) -> String {
    if bits == 32 {
        let b = (addr as u32).to_be_bytes();
        return format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3]);
    }
    let v6 = Ipv6Addr::from(addr);
    match v6.to_ipv4_mapped() {
        Some(v4) => v4.to_string(),
        None => v6.to_string(),
    }
}

/// Parses a decimal IPv4 address, allowing leading zeros as Go 1.16 does.
fn parse_ipv4(text: &str) -> Option<u32> {
    let mut out: u32 = 0;
    let mut count = 0;
    for part in text.split('.') {
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let octet: u32 = part.parse().ok()?;
        if octet > 255 {
            return None;
        }
        out = (out << 8) | octet;
        count += 1;
    }
    (count == 4).then_some(out)
}

/// Go's `net.ParseCIDR`, the network address masked.
fn parse_cidr(text: &str) -> Result<Network, String> {
    let invalid = || format!("invalid CIDR address: {text}");
    let (addr_text, prefix_text) = text.split_once('/').ok_or_else(invalid)?;
    let (addr, bits, mapped) = match parse_ipv4(addr_text) {
        Some(v4) => (u128::from(v4), 32, false),
        None => {
            let v6: Ipv6Addr = addr_text.parse().map_err(|_| invalid())?;
            (u128::from(v6), 128, v6.to_ipv4_mapped().is_some())
        }
    };
    if prefix_text.is_empty()
        || prefix_text.len() > 8
        || !prefix_text.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(invalid());
    }
    let prefix: u32 = prefix_text.parse().map_err(|_| invalid())?;
    if prefix > bits {
        return Err(invalid());
    }
    Ok(Network {
        addr: addr & mask(prefix, bits),
        bits,
        prefix,
        mapped,
    })
}

fn network_arg(args: &[Value]) -> Result<Network, String> {
    parse_cidr(args.first().and_then(Value::as_str).unwrap_or_default())
        .map_err(|e| format!("invalid CIDR expression: {e}"))
}

/// A number argument as a Go `int`.
fn int_arg(args: &[Value], i: usize) -> Result<i64, String> {
    args.get(i)
        .and_then(Value::as_number)
        .and_then(Number::to_i64)
        .ok_or_else(|| WHOLE_INT_REQUIRED.to_string())
}

/// A number argument as a Go `*big.Int`.
fn big_arg(args: &[Value], i: usize) -> Result<BigInt, String> {
    let n = args.get(i).and_then(Value::as_number);
    n.filter(|n| n.is_integer() && !n.is_infinite())
        .and_then(|n| n.trunc_to_string().parse::<BigInt>().ok())
        .ok_or_else(|| "value must be a whole number".to_string())
}

/// Go's `big.Int.Uint64`: the low 64 bits of the magnitude.
fn low_u64(n: &BigInt) -> u64 {
    n.magnitude().iter_u64_digits().next().unwrap_or(0)
}

/// go-cidr's `insertNumIntoIP`: ORs `num << (bits - prefix_len)` into the address with Go's
/// two's-complement semantics for negative numbers, then keeps the magnitude's bytes.
fn insert_num(addr: u128, bits: u32, num: &BigInt, shift: i64) -> Option<u128> {
    if num.sign() == Sign::NoSign {
        return Some(addr);
    }
    // Shifted past the address size, the number cannot fit (Go panics here).
    if shift > i64::from(bits) {
        return None;
    }
    let shifted = if shift >= 0 {
        num << (shift as usize)
    } else {
        num >> ((-shift) as usize)
    };
    let combined = BigInt::from(addr) | shifted;
    let bytes = combined.magnitude().to_bytes_be();
    if combined.sign() == Sign::NoSign {
        return Some(0);
    }
    if bytes.len() > (bits / 8) as usize {
        return None;
    }
    Some(
        bytes
            .iter()
            .fold(0u128, |acc, b| (acc << 8) | u128::from(*b)),
    )
}

fn cidrhost(_: &FnContext, args: &[Value]) -> FnResult {
    let mut num = big_arg(args, 1).map_err(FnError::new)?;
    let net = network_arg(args).map_err(FnError::new)?;
    let host_len = net.bits - net.prefix;
    let max_host = (BigInt::from(1) << host_len as usize) - 1;
    let mut checked = BigInt::from(low_u64(&num));
    if num.sign() == Sign::Minus {
        checked = -&num - 1;
        num = &max_host - &checked;
    }
    let too_big = || {
        FnError::new(format!(
            "prefix of {} does not accommodate a host numbered {num}",
            net.prefix
        ))
    };
    if checked > max_host {
        return Err(too_big());
    }
    // Go decides IPv4-ness by `To4`, so an IPv4-mapped address takes a 32-bit insertion.
    let insert_bits: u32 = if net.bits == 32 || net.mapped {
        32
    } else {
        128
    };
    let shift = i64::from(net.bits) - i64::from(insert_bits);
    let addr = insert_num(net.addr, net.bits, &num, shift).ok_or_else(too_big)?;
    Ok(Value::string(ip_text(addr, net.bits)))
}

fn cidrnetmask(_: &FnContext, args: &[Value]) -> FnResult {
    let net = network_arg(args).map_err(FnError::new)?;
    Ok(Value::string(ip_text(net.mask(), net.bits)))
}

fn cidrsubnet(_: &FnContext, args: &[Value]) -> FnResult {
    let newbits = int_arg(args, 1).map_err(FnError::new)?;
    let num = big_arg(args, 2).map_err(FnError::new)?;
    let net = network_arg(args).map_err(FnError::new)?;
    let new_prefix = i64::from(net.prefix) + newbits;
    if new_prefix > i64::from(net.bits) {
        return Err(FnError::new(format!(
            "insufficient address space to extend prefix of {} by {newbits}",
            net.prefix
        )));
    }
    // Go computes `uint64(1<<newBits) - 1`, which is all ones once the shift passes 63.
    let max_net = match u32::try_from(newbits) {
        Ok(n) if n < 64 => (1u64 << n) - 1,
        _ => u64::MAX,
    };
    let too_big = || {
        FnError::new(format!(
            "prefix extension of {newbits} does not accommodate a subnet numbered {num}"
        ))
    };
    if low_u64(&num) > max_net {
        return Err(too_big());
    }
    let addr = insert_num(net.addr, net.bits, &num, i64::from(net.bits) - new_prefix)
        .ok_or_else(too_big)?;
    // Go builds no mask for a negative length, and prints such a network as "<nil>".
    let Ok(prefix) = u32::try_from(new_prefix) else {
        return Ok(Value::string("<nil>"));
    };
    Ok(Value::string(
        Network {
            addr,
            bits: net.bits,
            prefix,
            mapped: net.mapped,
        }
        .text(),
    ))
}

fn cidrsubnets(_: &FnContext, args: &[Value]) -> FnResult {
    let net = network_arg(args).map_err(|e| FnError::arg(0, e))?;
    if args.len() < 2 {
        return Ok(Value::list(Type::String, Vec::new()));
    }
    let first = int_arg(args, 1).map_err(|e| FnError::arg(1, e))?;
    // go-cidr's PreviousSubnet: the subnet of the first length just before the network.
    let first_prefix = (i64::from(net.prefix) + first).clamp(0, i64::from(net.bits)) as u32;
    let before = net.addr.wrapping_sub(1) & all_ones(net.bits);
    let mut current = Network {
        addr: before & mask(first_prefix, net.bits),
        bits: net.bits,
        prefix: first_prefix,
        mapped: net.mapped,
    };
    let mut out = Vec::with_capacity(args.len() - 1);
    for i in 1..args.len() {
        let length = int_arg(args, i).map_err(|e| FnError::arg(i, e))?;
        if length < 1 {
            return Err(FnError::arg(i, "must extend prefix by at least one bit"));
        }
        if length > 32 {
            return Err(FnError::arg(
                i,
                "may not extend prefix by more than 32 bits",
            ));
        }
        let length = length as u32 + net.prefix;
        if length > net.bits {
            let protocol = if net.bits == 32 { "IPv4" } else { "IPv6" };
            return Err(FnError::arg(
                i,
                format!(
                    "would extend prefix to {length} bits, which is too long for an {protocol} address"
                ),
            ));
        }
        let next = next_subnet(&current, length);
        if next.is_none_or(|n| !net.contains(n.addr)) {
            return Err(FnError::arg(
                i,
                format!(
                    "not enough remaining address space for a subnet with a prefix of {length} bits after {}",
                    current.text()
                ),
            ));
        }
        current = next.unwrap_or(current);
        out.push(Value::string(current.text()));
    }
    Ok(Value::list(Type::String, out))
}

/// go-cidr's NextSubnet: the first subnet of `prefix` bits after the end of `current`, or
/// `None` when the address space rolls over.
fn next_subnet(current: &Network, prefix: u32) -> Option<Network> {
    let m = mask(prefix, current.bits);
    let widened = Network {
        addr: current.last() & m,
        prefix,
        ..*current
    };
    let after = widened.last().wrapping_add(1) & all_ones(current.bits);
    (after != 0).then_some(Network {
        addr: after & m,
        prefix,
        ..*current
    })
}

#[cfg(test)]
mod tests {
    use crate::functions::test_support::call_fn;
    use crate::functions::FnError;
    use crate::number::Number;
    use crate::value::{Type, Value};

    fn s(v: &str) -> Value {
        Value::string(v)
    }
    fn n(text: &str) -> Value {
        Value::number(Number::parse(text).unwrap())
    }
    fn err(message: &str) -> Result<Value, FnError> {
        Err(FnError::new(message))
    }

    #[test]
    fn host() {
        let host = |p: &str, h: &str| call_fn("cidrhost", vec![s(p), n(h)]);
        assert_eq!(host("10.0.0.0/24", "-1"), Ok(s("10.0.0.255")));
        assert_eq!(host("010.1.2.3/8", "5"), Ok(s("10.0.0.5")));
        assert_eq!(
            host("fd00:fd12:3456:7890::/56", "34"),
            Ok(s("fd00:fd12:3456:7800::22"))
        );
        assert_eq!(host("fd00::/64", "-2"), Ok(s("fd00::ffff:ffff:ffff:fffe")));
        assert_eq!(host("::ffff:10.0.0.0/120", "5"), Ok(s("0:5::ffff:a00:0")));
        assert_eq!(
            host("10.0.0.0/24", "-300"),
            err("prefix of 24 does not accommodate a host numbered -44")
        );
        assert_eq!(
            host("10.0.0.0/24", "256"),
            err("prefix of 24 does not accommodate a host numbered 256")
        );
        assert_eq!(
            host("192.168.1.0/24", "4294967296"),
            err("prefix of 24 does not accommodate a host numbered 4294967296")
        );
        assert_eq!(
            host("10.0.0.0/24", "1.5"),
            err("value must be a whole number")
        );
        assert_eq!(
            host("foo", "1"),
            err("invalid CIDR expression: invalid CIDR address: foo")
        );
        assert_eq!(
            host("1.2.3.4/33", "1"),
            err("invalid CIDR expression: invalid CIDR address: 1.2.3.4/33")
        );
    }

    #[test]
    fn netmask() {
        assert_eq!(
            call_fn("cidrnetmask", vec![s("172.16.0.0/12")]),
            Ok(s("255.240.0.0"))
        );
        assert_eq!(
            call_fn("cidrnetmask", vec![s("fd00::/56")]),
            Ok(s("ffff:ffff:ffff:ff00::"))
        );
        assert_eq!(
            call_fn("cidrnetmask", vec![s("0.0.0.0/0")]),
            Ok(s("0.0.0.0"))
        );
    }

    #[test]
    fn subnet() {
        let sub = |p: &str, b: &str, x: &str| call_fn("cidrsubnet", vec![s(p), n(b), n(x)]);
        assert_eq!(sub("172.16.0.0/12", "4", "2"), Ok(s("172.18.0.0/16")));
        assert_eq!(sub("10.1.2.0/24", "4", "15"), Ok(s("10.1.2.240/28")));
        assert_eq!(
            sub("10.1.2.0/24", "4", "16"),
            err("prefix extension of 4 does not accommodate a subnet numbered 16")
        );
        assert_eq!(
            sub("fd00:fd12:3456:7890::/56", "16", "162"),
            Ok(s("fd00:fd12:3456:7800:a200::/72"))
        );
        assert_eq!(
            sub("10.0.0.0/8", "30", "1"),
            err("insufficient address space to extend prefix of 8 by 30")
        );
        assert_eq!(sub("10.0.0.0/8", "8", "-1"), Ok(s("0.1.0.0/16")));
        assert_eq!(sub("10.0.0.0/8", "-1", "0"), Ok(s("10.0.0.0/7")));
        assert_eq!(sub("10.0.0.0/8", "0", "0"), Ok(s("10.0.0.0/8")));
        assert_eq!(sub("10.0.0.0/8", "-8", "0"), Ok(s("10.0.0.0/0")));
        assert_eq!(sub("10.0.0.0/8", "-9", "0"), Ok(s("<nil>")));
        assert!(sub("10.0.0.0/8", "-1000000000000", "1").is_err());
        assert_eq!(
            sub("::/0", "64", "18446744073709551615"),
            Ok(s("ffff:ffff:ffff:ffff::/64"))
        );
        assert_eq!(
            sub("::/0", "65", "18446744073709551616"),
            Ok(s("8000::/65"))
        );
        assert_eq!(
            sub("10.0.0.0/8", "1.5", "0"),
            err("value must be a whole number, between -9223372036854775808 and 9223372036854775807")
        );
        assert_eq!(
            sub("10.0.0.0/8", "2", "1.5"),
            err("value must be a whole number")
        );
    }

    #[test]
    fn subnets() {
        let subs = |p: &str, bits: &[i64]| {
            let mut args = vec![s(p)];
            args.extend(bits.iter().map(|b| Value::int(*b)));
            call_fn("cidrsubnets", args)
        };
        let list = |items: &[&str]| Value::list(Type::String, items.iter().map(|i| s(i)).collect());
        assert_eq!(
            subs("10.1.0.0/16", &[4, 4, 8, 4]),
            Ok(list(&[
                "10.1.0.0/20",
                "10.1.16.0/20",
                "10.1.32.0/24",
                "10.1.48.0/20"
            ]))
        );
        assert_eq!(
            subs("fd00:fd12:3456:7890::/56", &[16, 16, 16, 32]),
            Ok(list(&[
                "fd00:fd12:3456:7800::/72",
                "fd00:fd12:3456:7800:100::/72",
                "fd00:fd12:3456:7800:200::/72",
                "fd00:fd12:3456:7800:300::/88",
            ]))
        );
        assert_eq!(
            subs("10.0.0.0/24", &[4, 2, 4]),
            Ok(list(&["10.0.0.0/28", "10.0.0.64/26", "10.0.0.128/28"]))
        );
        assert_eq!(subs("10.0.0.0/8", &[]), Ok(list(&[])));
        let arg_err = |i: usize, m: &str| Err(FnError::arg(i, m));
        assert_eq!(
            subs("10.0.0.0/30", &[1, 1, 1]),
            arg_err(3, "not enough remaining address space for a subnet with a prefix of 31 bits after 10.0.0.2/31")
        );
        assert_eq!(
            subs("0.0.0.0/0", &[1, 1, 1]),
            arg_err(1, "not enough remaining address space for a subnet with a prefix of 1 bits after 128.0.0.0/1")
        );
        assert_eq!(
            subs("10.0.0.0/8", &[0]),
            arg_err(1, "must extend prefix by at least one bit")
        );
        assert_eq!(
            subs("10.0.0.0/8", &[33]),
            arg_err(1, "may not extend prefix by more than 32 bits")
        );
        assert_eq!(
            subs("10.0.0.0/8", &[30]),
            arg_err(
                1,
                "would extend prefix to 38 bits, which is too long for an IPv4 address"
            )
        );
    }
}
