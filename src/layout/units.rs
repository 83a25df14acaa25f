//! Lengths in scaled points, TeX's unit (The TeXbook, ch. 10): 65,536 sp to the
//! PostScript point. Layout decides every position in integers, so it is exact and
//! the same on every machine; only the PDF writer converts to floats.

/// A length in scaled points.
pub type Sp = i64;

/// One PostScript point.
pub const PT: Sp = 65_536;

/// Points (f64) to scaled points, rounded.
pub fn pt(x: f64) -> Sp {
    (x * PT as f64).round() as Sp
}

/// Scaled points to points, for the PDF writer.
pub fn to_pt(s: Sp) -> f32 {
    (s as f64 / PT as f64) as f32
}

/// `font_units` at `size` for a face of `upem` units per em, rounded.
pub fn scale(font_units: i32, size: Sp, upem: i32) -> Sp {
    let n = i64::from(font_units) * size;
    let d = i64::from(upem.max(1));
    // Round half away from zero.
    if n >= 0 { (n + d / 2) / d } else { (n - d / 2) / d }
}

/// `a · b / c`, truncated toward zero, exact whatever the sizes: in 64 bits when
/// the product fits (a single division), else in 128 (a call to the compiler's
/// software division, which the layout made two million times a book when it
/// always widened).
pub fn mul_div(a: Sp, b: Sp, c: Sp) -> Sp {
    match a.checked_mul(b).and_then(|p| p.checked_div(c)) {
        Some(q) => q,
        None => (i128::from(a) * i128::from(b) / i128::from(c)) as Sp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        assert_eq!(pt(1.0), PT);
        assert_eq!(scale(500, pt(10.0), 1000), pt(5.0));
        assert_eq!(scale(-250, pt(10.0), 1000), -pt(2.5));
        assert!((to_pt(pt(419.53)) - 419.53).abs() < 1e-3);
    }

    #[test]
    fn mul_div_is_the_128_bit_quotient_whatever_the_sizes() {
        let wide =
            |a: Sp, b: Sp, c: Sp| (i128::from(a) * i128::from(b) / i128::from(c)) as Sp;
        // Lengths of a line, and lengths whose product passes 2^63; every sign.
        let values = [
            0,
            1,
            -1,
            7,
            -13,
            PT,
            -PT,
            300 * PT,
            -300 * PT,
            1 << 31,
            3 << 40,
            -(5 << 40),
            i64::MAX / 3,
            i64::MIN / 3,
            i64::MAX,
            i64::MIN + 1,
        ];
        for &a in &values {
            for &b in &values {
                for &c in values.iter().filter(|&&c| c != 0) {
                    assert_eq!(mul_div(a, b, c), wide(a, b, c), "{a} · {b} / {c}");
                }
            }
        }
        // The one quotient 64 bits cannot hold either way.
        assert_eq!(mul_div(i64::MIN, 1, -1), wide(i64::MIN, 1, -1));
    }
}
