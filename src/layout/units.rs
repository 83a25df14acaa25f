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
}
