//! A baseline JPEG encoder (ITU-T T.81, in a JFIF 1.01 file) for the e-book's
//! cover: 8-bit YCbCr with the colour at half resolution (4:2:0, as nearly every
//! photograph and e-book cover has it), the typical quantisation and Huffman
//! tables of T.81 Annex K scaled by quality as the Independent JPEG Group's
//! libjpeg scales them, and libjpeg's integer DCT (Loeffler, Ligtenberg and
//! Moschytz), so that every machine writes the same bytes.
//!
//! Why our own: a typographic cover is four million pixels of which nine in ten
//! lie in macroblocks of one flat colour. Such a block's transform is its mean
//! alone, so it is written as that and an end of block, without a transform; a
//! general encoder transforms every block, which had cost 50 ms, the most of any
//! fixed step of a build. The encoder's output for a flat block is the same as the
//! transform's would be (tested).

/// Pixels to encode: rows of `width` pixels, each `bpp` bytes (RGB, or RGBA whose
/// alpha is ignored: an opaque picture).
pub struct Pixels<'a> {
    pub data: &'a [u8],
    pub width: usize,
    pub height: usize,
    pub bpp: usize,
}

/// The pixels as a JPEG file at `quality` (1–100, as libjpeg's `-quality`).
pub fn encode(px: &Pixels, quality: u8) -> Result<Vec<u8>, String> {
    let mut e = Encoder::new((px.width, px.height), quality)?;
    e.rows(px)?;
    e.finish()
}

/// A JPEG written a band of rows at a time, so that a picture drawn in bands
/// never needs all its pixels at once (a 1600 × 2560 cover is 16 MB of them, and
/// touching that much new memory cost as much as encoding it).
pub struct Encoder {
    tables: Tables,
    bits: Bits,
    /// Each component's last DC coefficient.
    dc: [i32; 3],
    size: (usize, usize),
    /// The rows written so far.
    done: usize,
}

impl Encoder {
    /// An encoder for a picture of `(width, height)` pixels, its headers written.
    pub fn new((width, height): (usize, usize), quality: u8) -> Result<Encoder, String> {
        let side = |n: usize| n > 0 && n <= usize::from(u16::MAX);
        if !side(width) || !side(height) {
            return Err(format!("a cover of {width} × {height} px"));
        }
        let tables = Tables::new(quality);
        // About a bit a pixel for a cover; never more than 4 MB ahead of the pixels.
        let mut out = Vec::with_capacity((width * height / 8).min(1 << 22) + 1024);
        write_headers(&mut out, (width as u16, height as u16), &tables);
        let bits = Bits { out, ..Bits::default() };
        Ok(Encoder { tables, bits, dc: [0; 3], size: (width, height), done: 0 })
    }

    /// The next band of rows: the picture's width, a multiple of 16 rows high
    /// unless it is the last.
    pub fn rows(&mut self, px: &Pixels) -> Result<(), String> {
        self.rows_known(px, [0; 3], |_, _| false)
    }

    /// The next band of rows, as [`rows`](Self::rows), where the caller knows
    /// which macroblocks hold `colour` alone: `plain(x, y)`, at the macroblock
    /// whose first pixel is (x, y) in the band. Those pixels are not read.
    pub fn rows_known(
        &mut self,
        px: &Pixels,
        colour: [u8; 3],
        plain: impl Fn(usize, usize) -> bool,
    ) -> Result<(), String> {
        self.check(px)?;
        for y in (0..px.height).step_by(16) {
            for x in (0..px.width).step_by(16) {
                let (t, dc, bits) = (&self.tables, &mut self.dc, &mut self.bits);
                let flat = match plain(x, y) {
                    true => Some(colour),
                    false => flat_colour(px, x, y),
                };
                match flat {
                    Some(rgb) => write_flat(bits, t, dc, ycc(rgb)),
                    None => write_mcu(bits, t, dc, &samples(px, x, y)),
                }
            }
        }
        self.done += px.height;
        Ok(())
    }

    /// A band that continues the picture, its bytes all there.
    fn check(&self, px: &Pixels) -> Result<(), String> {
        let (width, height) = self.size;
        let fits = px.width == width
            && px.height > 0
            && self.done.is_multiple_of(16)
            && self.done.checked_add(px.height).is_some_and(|end| end <= height);
        if !fits {
            return Err(format!(
                "rows {}–{} of a cover {height} px high",
                self.done,
                self.done + px.height
            ));
        }
        let bytes = px.width.checked_mul(px.height).and_then(|n| n.checked_mul(px.bpp));
        if !matches!(px.bpp, 3 | 4) || bytes.is_none_or(|n| px.data.len() < n) {
            return Err("a cover's pixels are incomplete".into());
        }
        Ok(())
    }

    /// The file, once every row has been given.
    pub fn finish(self) -> Result<Vec<u8>, String> {
        if self.done != self.size.1 {
            return Err(format!("{} of a cover's {} rows", self.done, self.size.1));
        }
        let mut out = self.bits.finish();
        out.extend([0xFF, 0xD9]);
        Ok(out)
    }
}

/// The zigzag order of T.81 figure 5: for each position in it, the coefficient's
/// index in row-major order. Odd anti-diagonals run down and to the left, even ones
/// up and to the right.
const ZIGZAG: [usize; 64] = {
    let mut z = [0; 64];
    let (mut k, mut s) = (0, 0);
    while s < 15 {
        let mut i = 0;
        while i <= s {
            let row = if s % 2 == 1 { i } else { s - i };
            let col = s - row;
            if row < 8 && col < 8 {
                z[k] = row * 8 + col;
                k += 1;
            }
            i += 1;
        }
        s += 1;
    }
    z
};

/// T.81 Annex K.1: the typical luminance and chrominance quantisation tables, in
/// row-major order.
const LUMA_Q: [u16; 64] = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40,
    57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35,
    55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112,
    100, 103, 99,
];
const CHROMA_Q: [u16; 64] = {
    let mut t = [99; 64];
    let top = [[17, 18, 24, 47], [18, 21, 26, 66], [24, 26, 56, 99], [47, 66, 99, 99]];
    let mut r = 0;
    while r < 4 {
        let mut c = 0;
        while c < 4 {
            t[r * 8 + c] = top[r][c];
            c += 1;
        }
        r += 1;
    }
    t
};

/// T.81 Annex K.3: the typical Huffman tables — how many codes of each length
/// 1–16, then the symbols in order of their codes.
const DC_LUMA: ([u8; 16], &[u8]) = (
    [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
    &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
);
const DC_CHROMA: ([u8; 16], &[u8]) = (
    [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0],
    &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
);
const AC_LUMA: ([u8; 16], &[u8]) = (
    [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
    &[
        0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13,
        0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42,
        0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a,
        0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35,
        0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a,
        0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67,
        0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84,
        0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98,
        0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3,
        0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
        0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1,
        0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4,
        0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
    ],
);
const AC_CHROMA: ([u8; 16], &[u8]) = (
    [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
    &[
        0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51,
        0x07, 0x61, 0x71, 0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1,
        0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24,
        0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26, 0x27, 0x28, 0x29, 0x2a,
        0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
        0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66,
        0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82,
        0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96,
        0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa,
        0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
        0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9,
        0xda, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4,
        0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
    ],
);

/// A Huffman table's codes: for each symbol, its code and the code's length
/// (T.81 Annex C: codes of one length count up, and a longer length continues
/// from the shorter ones' next code, shifted left).
struct Codes([(u16, u8); 256]);

impl Codes {
    fn new((counts, symbols): ([u8; 16], &[u8])) -> Codes {
        let mut codes = [(0, 0); 256];
        let (mut code, mut k) = (0u16, 0);
        for (len, &count) in (1u8..).zip(&counts) {
            for _ in 0..count {
                codes[usize::from(symbols[k])] = (code, len);
                code += 1;
                k += 1;
            }
            code <<= 1;
        }
        Codes(codes)
    }
}

/// One component class's tables: the quantiser of each coefficient (times 8, as
/// the transform's output is eight times the DCT's), DC and AC codes.
struct Class {
    q: [Quant; 64],
    dc: Codes,
    ac: Codes,
}

struct Tables {
    /// The quantisation tables as written, luminance then chrominance, row-major.
    written: [[u8; 64]; 2],
    luma: Class,
    chroma: Class,
}

impl Tables {
    fn new(quality: u8) -> Tables {
        let written = [scaled(&LUMA_Q, quality), scaled(&CHROMA_Q, quality)];
        let class = |t: &[u8; 64], dc, ac| Class {
            q: t.map(|v| Quant::new(u32::from(v) * 8)),
            dc: Codes::new(dc),
            ac: Codes::new(ac),
        };
        Tables {
            luma: class(&written[0], DC_LUMA, AC_LUMA),
            chroma: class(&written[1], DC_CHROMA, AC_CHROMA),
            written,
        }
    }
}

/// A typical table at `quality`, as libjpeg's `jpeg_quality_scaling` scales it.
fn scaled(table: &[u16; 64], quality: u8) -> [u8; 64] {
    let q = u32::from(quality.clamp(1, 100));
    let scale = if q < 50 { 5000 / q } else { 200 - 2 * q };
    table.map(|v| ((u32::from(v) * scale + 50) / 100).clamp(1, 255) as u8)
}

fn write_headers(out: &mut Vec<u8>, (w, h): (u16, u16), t: &Tables) {
    let segment = |out: &mut Vec<u8>, marker: u8, body: &[u8]| {
        out.extend([0xFF, marker]);
        out.extend(((body.len() + 2) as u16).to_be_bytes());
        out.extend(body);
    };
    out.extend([0xFF, 0xD8]);
    // JFIF 1.01, no units, a pixel aspect ratio of 1:1, no thumbnail.
    segment(out, 0xE0, b"JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00");
    let mut dqt = Vec::with_capacity(130);
    for (id, table) in t.written.iter().enumerate() {
        dqt.push(id as u8);
        dqt.extend(ZIGZAG.map(|i| table[i]));
    }
    segment(out, 0xDB, &dqt);
    let mut sof = vec![8];
    sof.extend(h.to_be_bytes());
    sof.extend(w.to_be_bytes());
    // Three components: Y sampled 2 × 2 with table 0, Cb and Cr 1 × 1 with table 1.
    sof.extend([3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    segment(out, 0xC0, &sof);
    let mut dht = Vec::with_capacity(420);
    for (class_id, (counts, symbols)) in
        [(0x00, DC_LUMA), (0x10, AC_LUMA), (0x01, DC_CHROMA), (0x11, AC_CHROMA)]
    {
        dht.push(class_id);
        dht.extend(counts);
        dht.extend(symbols);
    }
    segment(out, 0xC4, &dht);
    segment(out, 0xDA, &[3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);
}

/// The colour of a 16 × 16 macroblock when all its pixels share it (an edge
/// block's pixels past the picture repeat its last row and column, so they share
/// it too).
fn flat_colour(px: &Pixels, x: usize, y: usize) -> Option<[u8; 3]> {
    let stride = px.width * px.bpp;
    let start = y * stride + x * px.bpp;
    let run = 16.min(px.width - x) * px.bpp;
    let first = &px.data[start..start + px.bpp];
    // Whole pixels compared as words (RGBA) or as three bytes (RGB), not a
    // library `memcmp` per row: for sixteen pixels the call had cost more than
    // the comparison.
    let flat_row = |row: &[u8]| match px.bpp {
        4 => {
            let word = |p: &[u8]| u32::from_ne_bytes([p[0], p[1], p[2], p[3]]);
            let first = word(first);
            row.chunks_exact(4).all(|p| word(p) == first)
        }
        _ => row
            .chunks_exact(3)
            .all(|p| p[0] == first[0] && p[1] == first[1] && p[2] == first[2]),
    };
    (y..(y + 16).min(px.height))
        .all(|r| flat_row(&px.data[r * stride + x * px.bpp..][..run]))
        .then(|| [first[0], first[1], first[2]])
}

/// JFIF's YCbCr of an sRGB colour, in 16-bit fixed point, rounded.
fn ycc([r, g, b]: [u8; 3]) -> [i32; 3] {
    let (r, g, b) = (i32::from(r), i32::from(g), i32::from(b));
    let half = 1 << 15;
    let y = (19595 * r + 38470 * g + 7471 * b + half) >> 16;
    let cb = (-11059 * r - 21709 * g + 32768 * b + (128 << 16) + half - 1) >> 16;
    let cr = (32768 * r - 27439 * g - 5329 * b + (128 << 16) + half - 1) >> 16;
    [y, cb, cr]
}

/// A macroblock's samples, less 128: four luminance blocks (left to right, top to
/// bottom) and the chrominance, each 2 × 2 pixels averaged into one sample.
struct Mcu {
    y: [[i32; 64]; 4],
    cb: [i32; 64],
    cr: [i32; 64],
}

fn samples(px: &Pixels, x0: usize, y0: usize) -> Mcu {
    let mut m = Mcu { y: [[0; 64]; 4], cb: [0; 64], cr: [0; 64] };
    let stride = px.width * px.bpp;
    // Where each column's pixel starts in a row (past the edge, the last one).
    let at: [usize; 16] = std::array::from_fn(|dx| (x0 + dx).min(px.width - 1) * px.bpp);
    let mut last = ([0, 0, 0], ycc([0, 0, 0]));
    for dy in 0..16 {
        let y = (y0 + dy).min(px.height - 1);
        let row = &px.data[y * stride..(y + 1) * stride];
        let luma = &mut m.y[dy / 8 * 2..dy / 8 * 2 + 2];
        let (cb, cr) = (&mut m.cb[dy / 2 * 8..][..8], &mut m.cr[dy / 2 * 8..][..8]);
        for (dx, &i) in at.iter().enumerate() {
            let rgb = [row[i], row[i + 1], row[i + 2]];
            // A letter's edge is mostly ink and background: a pixel the colour of
            // the last one reuses its conversion.
            if rgb != last.0 {
                last = (rgb, ycc(rgb));
            }
            let [l, b, r] = last.1;
            luma[dx / 8][dy % 8 * 8 + dx % 8] = l - 128;
            cb[dx / 2] += b;
            cr[dx / 2] += r;
        }
    }
    for s in m.cb.iter_mut().chain(m.cr.iter_mut()) {
        *s = ((*s + 2) >> 2) - 128;
    }
    m
}

fn write_mcu(bits: &mut Bits, t: &Tables, dc: &mut [i32; 3], m: &Mcu) {
    for block in &m.y {
        write_samples(bits, &t.luma, &mut dc[0], block);
    }
    write_samples(bits, &t.chroma, &mut dc[1], &m.cb);
    write_samples(bits, &t.chroma, &mut dc[2], &m.cr);
}

/// A block of samples: transformed, or, when flat (the background around a
/// letter's edge), written as the transform's DC coefficient alone, 64 times the
/// sample.
fn write_samples(bits: &mut Bits, c: &Class, prev: &mut i32, block: &[i32; 64]) {
    if block.iter().all(|&s| s == block[0]) {
        write_dc_only(bits, c, prev, c.q[0].apply(64 * block[0]));
    } else {
        write_block(bits, c, prev, &fdct(block));
    }
}

/// A macroblock of one colour: each block's transform is its DC coefficient
/// alone, 64 times the sample (what [`fdct`] gives for a flat block).
fn write_flat(bits: &mut Bits, t: &Tables, dc: &mut [i32; 3], [y, cb, cr]: [i32; 3]) {
    let y = t.luma.q[0].apply(64 * (y - 128));
    for _ in 0..4 {
        write_dc_only(bits, &t.luma, &mut dc[0], y);
    }
    write_dc_only(bits, &t.chroma, &mut dc[1], t.chroma.q[0].apply(64 * (cb - 128)));
    write_dc_only(bits, &t.chroma, &mut dc[2], t.chroma.q[0].apply(64 * (cr - 128)));
}

/// A block of a quantised DC coefficient and no other.
fn write_dc_only(bits: &mut Bits, c: &Class, prev: &mut i32, dc: i32) {
    write_dc(bits, c, prev, dc);
    bits.code(&c.ac, 0x00);
}

/// A transformed block: its DC coefficient as the difference from the previous
/// block's of the component, then its AC coefficients in zigzag order as runs of
/// zeros and values (T.81 F.1.2).
fn write_block(bits: &mut Bits, c: &Class, prev: &mut i32, coefs: &[i32; 64]) {
    write_dc(bits, c, prev, c.q[0].apply(coefs[0]));
    let mut run = 0;
    for &i in &ZIGZAG[1..] {
        let v = c.q[i].apply(coefs[i]);
        if v == 0 {
            run += 1;
            continue;
        }
        while run > 15 {
            bits.code(&c.ac, 0xF0);
            run -= 16;
        }
        let size = magnitude(v);
        bits.code(&c.ac, (run << 4) as u8 | size as u8);
        bits.value(v, size);
        run = 0;
    }
    if run > 0 {
        bits.code(&c.ac, 0x00);
    }
}

fn write_dc(bits: &mut Bits, c: &Class, prev: &mut i32, dc: i32) {
    let diff = dc - *prev;
    *prev = dc;
    let size = magnitude(diff);
    bits.code(&c.dc, size as u8);
    bits.value(diff, size);
}

/// A quantiser, with its reciprocal in 32-bit fixed point rounded up, so that
/// dividing by it is a multiplication: exact for dividends below 2³² over the
/// divisor (Granlund and Montgomery, "Division by invariant integers using
/// multiplication", 1994), which a coefficient (below 2¹⁵) is far below. A
/// division had cost a third of encoding a cover's lettered blocks.
#[derive(Clone, Copy)]
struct Quant {
    q: u32,
    recip: u64,
}

/// Dividends below this are divided by the reciprocal (2³² over the largest
/// quantiser, 255 × 8, is above 2²¹).
const RECIP_BELOW: u32 = 1 << 20;

impl Quant {
    fn new(q: u32) -> Quant {
        Quant { q, recip: (1u64 << 32) / u64::from(q) + 1 }
    }

    /// A coefficient divided by the quantiser, rounded half away from zero.
    fn apply(self, coef: i32) -> i32 {
        let n = coef.unsigned_abs() + self.q / 2;
        let v = match n < RECIP_BELOW {
            true => ((u64::from(n) * self.recip) >> 32) as i32,
            false => (n / self.q) as i32,
        };
        if coef < 0 { -v } else { v }
    }
}

/// The number of bits of a value's magnitude (T.81's SSSS category).
fn magnitude(v: i32) -> u32 {
    32 - v.unsigned_abs().leading_zeros()
}

/// libjpeg's `jpeg_fdct_islow`: the 8 × 8 forward DCT in integers, scaled up by 8
/// (Loeffler, Ligtenberg and Moschytz, "Practical fast 1-D DCT algorithms with 11
/// multiplications", 1989), rows then columns, the constants in 13-bit fixed
/// point and two extra bits kept between the passes.
fn fdct(block: &[i32; 64]) -> [i32; 64] {
    let mut d = *block;
    for row in d.chunks_exact_mut(8) {
        let mut v = [0; 8];
        v.copy_from_slice(row);
        let out = fdct_1d(v, Pass::Rows);
        row.copy_from_slice(&out);
    }
    for c in 0..8 {
        let v = std::array::from_fn(|r| d[r * 8 + c]);
        let out = fdct_1d(v, Pass::Columns);
        for (r, o) in out.into_iter().enumerate() {
            d[r * 8 + c] = o;
        }
    }
    d
}

#[derive(Clone, Copy, PartialEq)]
enum Pass {
    Rows,
    Columns,
}

const CONST_BITS: i32 = 13;
const PASS1_BITS: i32 = 2;
/// The rotation constants of the transform, times 2^13.
const F0_298: i32 = 2446;
const F0_390: i32 = 3196;
const F0_541: i32 = 4433;
const F0_765: i32 = 6270;
const F0_899: i32 = 7373;
const F1_175: i32 = 9633;
const F1_501: i32 = 12299;
const F1_847: i32 = 15137;
const F1_961: i32 = 16069;
const F2_053: i32 = 16819;
const F2_562: i32 = 20995;
const F3_072: i32 = 25172;

/// `x` divided by 2^`n`, rounded.
fn descale(x: i32, n: i32) -> i32 {
    (x + (1 << (n - 1))) >> n
}

fn fdct_1d(d: [i32; 8], pass: Pass) -> [i32; 8] {
    let (shift, even): (i32, fn(i32) -> i32) = match pass {
        Pass::Rows => (CONST_BITS - PASS1_BITS, |x: i32| x << PASS1_BITS),
        Pass::Columns => (CONST_BITS + PASS1_BITS, |x: i32| descale(x, PASS1_BITS)),
    };
    let (t0, t7) = (d[0] + d[7], d[0] - d[7]);
    let (t1, t6) = (d[1] + d[6], d[1] - d[6]);
    let (t2, t5) = (d[2] + d[5], d[2] - d[5]);
    let (t3, t4) = (d[3] + d[4], d[3] - d[4]);
    // The even part.
    let (t10, t13) = (t0 + t3, t0 - t3);
    let (t11, t12) = (t1 + t2, t1 - t2);
    let mut out = [0; 8];
    out[0] = even(t10 + t11);
    out[4] = even(t10 - t11);
    let z1 = (t12 + t13) * F0_541;
    out[2] = descale(z1 + t13 * F0_765, shift);
    out[6] = descale(z1 - t12 * F1_847, shift);
    // The odd part.
    let z5 = (t4 + t5 + t6 + t7) * F1_175;
    let z1 = -(t4 + t7) * F0_899;
    let z2 = -(t5 + t6) * F2_562;
    let z3 = -(t4 + t6) * F1_961 + z5;
    let z4 = -(t5 + t7) * F0_390 + z5;
    out[7] = descale(t4 * F0_298 + z1 + z3, shift);
    out[5] = descale(t5 * F2_053 + z2 + z4, shift);
    out[3] = descale(t6 * F3_072 + z2 + z3, shift);
    out[1] = descale(t7 * F1_501 + z1 + z4, shift);
    out
}

/// The entropy-coded data: bits packed from the most significant, a 0xFF byte
/// followed by a zero byte (T.81 F.1.2.3), the last byte padded with ones.
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, bits: u32, len: u32) {
        self.acc = (self.acc << len) | u64::from(bits);
        self.n += len;
        while self.n >= 8 {
            self.n -= 8;
            let byte = (self.acc >> self.n) as u8;
            self.out.push(byte);
            if byte == 0xFF {
                self.out.push(0);
            }
        }
    }

    fn code(&mut self, codes: &Codes, symbol: u8) {
        let (code, len) = codes.0[usize::from(symbol)];
        self.put(u32::from(code), u32::from(len));
    }

    /// A value's `size` low bits, a negative one's less one (T.81 F.1.2.1).
    fn value(&mut self, v: i32, size: u32) {
        if size > 0 {
            let bits = if v < 0 { v - 1 } else { v };
            self.put(bits as u32 & ((1 << size) - 1), size);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            let pad = 8 - self.n;
            self.put((1 << pad) - 1, pad);
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The DCT of T.81 A.3.3 in floating point, times 8 (a test's yardstick, with
    /// a tolerance far above any platform's difference in a cosine).
    #[allow(clippy::disallowed_methods)]
    fn reference_dct(block: &[i32; 64]) -> [f64; 64] {
        let c = |u: usize| if u == 0 { std::f64::consts::FRAC_1_SQRT_2 } else { 1.0 };
        std::array::from_fn(|k| {
            let (v, u) = (k / 8, k % 8);
            let mut s = 0.0;
            for y in 0..8 {
                for x in 0..8 {
                    s += f64::from(block[y * 8 + x])
                        * (((2 * x + 1) * u) as f64 * std::f64::consts::PI / 16.0).cos()
                        * (((2 * y + 1) * v) as f64 * std::f64::consts::PI / 16.0).cos();
                }
            }
            8.0 * 0.25 * c(u) * c(v) * s
        })
    }

    fn noise(seed: u32) -> impl FnMut() -> u32 {
        let mut s = seed;
        move || {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            s
        }
    }

    #[test]
    fn the_integer_transform_is_the_dct_within_rounding() {
        let mut next = noise(7);
        for _ in 0..200 {
            let block: [i32; 64] = std::array::from_fn(|_| (next() % 256) as i32 - 128);
            let (ours, exact) = (fdct(&block), reference_dct(&block));
            for k in 0..64 {
                assert!((f64::from(ours[k]) - exact[k]).abs() <= 8.0, "{k}: {ours:?}");
            }
        }
        let flat = [37; 64];
        let mut want = [0; 64];
        want[0] = 64 * 37;
        assert_eq!(fdct(&flat), want, "a flat block is its DC alone");
    }

    #[test]
    fn quantising_by_the_reciprocal_is_dividing() {
        // Every quantiser a table can hold (1–255, times 8), over coefficients well
        // past a transform's range and past the reciprocal's limit.
        for q in (1..=255u32).map(|v| v * 8) {
            let quant = Quant::new(q);
            for coef in (-1_100_000i32..=1_100_000).step_by(997).chain(-9000..=9000) {
                let v = (coef.abs() + q as i32 / 2) / q as i32;
                let want = if coef < 0 { -v } else { v };
                assert_eq!(quant.apply(coef), want, "{coef} / {q}");
            }
        }
    }

    #[test]
    fn zigzag_visits_every_coefficient_in_the_standard_order() {
        assert_eq!(ZIGZAG[..10], [0, 1, 8, 16, 9, 2, 3, 10, 17, 24]);
        assert_eq!(ZIGZAG[58..], [61, 54, 47, 55, 62, 63]);
        let mut seen = ZIGZAG;
        seen.sort();
        assert_eq!(seen, std::array::from_fn(|i| i));
    }

    #[test]
    fn huffman_codes_are_the_standard_ones() {
        // T.81 Table K.3: DC category 0 is 00, 1 is 010, 11 is 111111110.
        let dc = Codes::new(DC_LUMA);
        assert_eq!(dc.0[0], (0b00, 2));
        assert_eq!(dc.0[1], (0b010, 3));
        assert_eq!(dc.0[11], (0b1_1111_1110, 9));
        // Table K.5: EOB is 1010, ZRL 11111111001.
        let ac = Codes::new(AC_LUMA);
        assert_eq!(ac.0[0x00], (0b1010, 4));
        assert_eq!(ac.0[0xF0], (0b111_1111_1001, 11));
        assert_eq!(AC_LUMA.1.len(), 162);
        assert_eq!(AC_CHROMA.1.len(), 162);
    }

    /// A picture of flat areas, edges and noise, `w` × `h` RGB.
    fn picture(w: usize, h: usize) -> Vec<u8> {
        let mut next = noise(11);
        let mut out = Vec::with_capacity(w * h * 3);
        for y in 0..h {
            for x in 0..w {
                let px = match (x / 40 + y / 40) % 3 {
                    0 => [0x7a, 0x1c, 0x1c],
                    1 => [(x * 255 / w) as u8, (y * 255 / h) as u8, 128],
                    _ => [next() as u8, 200, (next() % 64) as u8],
                };
                out.extend(px);
            }
        }
        out
    }

    fn decoded(jpg: &[u8]) -> image::RgbImage {
        image::load_from_memory_with_format(jpg, image::ImageFormat::Jpeg)
            .expect("a JPEG other decoders read")
            .to_rgb8()
    }

    /// Peak signal to noise ratio of the smooth part of a picture (the noise is
    /// what JPEG drops), in dB.
    fn psnr(a: &[u8], b: &[u8], w: usize) -> f64 {
        let mut sum = 0.0;
        let mut n = 0;
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            let (px, py) = ((i / 3) % w, (i / 3) / w);
            if (px / 40 + py / 40) % 3 != 2 && px % 40 > 4 && py % 40 > 4 {
                sum += (f64::from(*x) - f64::from(*y)).powi(2);
                n += 1;
            }
        }
        10.0 * (255.0f64.powi(2) / (sum / n as f64)).log10()
    }

    #[test]
    fn pictures_of_any_size_come_back_close_to_what_went_in() {
        for (w, h) in [(1, 1), (7, 9), (16, 16), (33, 17), (200, 120)] {
            let rgb = picture(w, h);
            let jpg =
                encode(&Pixels { data: &rgb, width: w, height: h, bpp: 3 }, 88).unwrap();
            let back = decoded(&jpg);
            assert_eq!((back.width() as usize, back.height() as usize), (w, h));
            if w >= 33 {
                let db = psnr(&rgb, back.as_raw(), w);
                // jpeg-encoder 0.7 at the same quality: 35.0 dB on this picture.
                assert!(db > 35.0, "{w} × {h}: {db:.1} dB");
            }
        }
    }

    #[test]
    fn a_picture_written_in_bands_is_the_picture_written_whole() {
        let (w, h) = (200, 120);
        let rgb = picture(w, h);
        let whole = encode(&Pixels { data: &rgb, width: w, height: h, bpp: 3 }, 88);
        for band in [16, 32, 48, 112] {
            let mut e = Encoder::new((w, h), 88).unwrap();
            for (k, rows) in rgb.chunks(w * 3 * band).enumerate() {
                let px =
                    Pixels { data: rows, width: w, height: rows.len() / w / 3, bpp: 3 };
                e.rows(&px).unwrap_or_else(|m| panic!("band {k}: {m}"));
            }
            assert_eq!(
                e.finish().unwrap(),
                *whole.as_ref().unwrap(),
                "bands of {band} rows"
            );
        }
        // A band after one not a whole number of macroblocks high, or past the
        // end, is refused.
        let mut e = Encoder::new((w, h), 88).unwrap();
        let px = |rows: usize| Pixels { data: &rgb, width: w, height: rows, bpp: 3 };
        e.rows(&px(8)).unwrap();
        assert!(e.rows(&px(8)).is_err());
        let mut e = Encoder::new((w, h), 88).unwrap();
        e.rows(&px(112)).unwrap();
        assert!(e.rows(&px(16)).is_err());
        assert!(e.finish().is_err(), "8 rows short");
    }

    #[test]
    fn rgba_is_read_as_its_colour() {
        let rgb = picture(64, 48);
        let rgba: Vec<u8> = rgb.chunks(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect();
        let a = encode(&Pixels { data: &rgb, width: 64, height: 48, bpp: 3 }, 88);
        let b = encode(&Pixels { data: &rgba, width: 64, height: 48, bpp: 4 }, 88);
        assert_eq!(a.unwrap(), b.unwrap());
    }

    #[test]
    fn a_flat_macroblock_is_written_as_the_transform_would_write_it() {
        let t = Tables::new(88);
        for colour in [[0x7a, 0x1c, 0x1c], [0xf4, 0xea, 0xd5], [0, 0, 0], [255, 255, 255]]
        {
            let rgb: Vec<u8> = colour.repeat(256);
            let px = Pixels { data: &rgb, width: 16, height: 16, bpp: 3 };
            let (mut fast, mut slow) = (Bits::default(), Bits::default());
            let (mut dc_fast, mut dc_slow) = ([5, -3, 9], [5, -3, 9]);
            assert_eq!(flat_colour(&px, 0, 0), Some(colour));
            write_flat(&mut fast, &t, &mut dc_fast, ycc(colour));
            write_mcu(&mut slow, &t, &mut dc_slow, &samples(&px, 0, 0));
            assert_eq!((fast.finish(), dc_fast), (slow.finish(), dc_slow), "{colour:?}");
        }
        // A block of one sample is written as its transform would be.
        for s in [-128, -37, 0, 5, 127] {
            let mut coefs = [0; 64];
            coefs[0] = 64 * s;
            let (mut fast, mut slow) = (Bits::default(), Bits::default());
            let (mut dc_fast, mut dc_slow) = (3, 3);
            write_samples(&mut fast, &t.luma, &mut dc_fast, &[s; 64]);
            write_block(&mut slow, &t.luma, &mut dc_slow, &coefs);
            assert_eq!((fast.finish(), dc_fast), (slow.finish(), dc_slow), "{s}");
        }
        let mut rgb = [9u8; 16 * 16 * 3];
        rgb[16 * 3 * 15 + 3 * 15] = 10;
        let px = Pixels { data: &rgb, width: 16, height: 16, bpp: 3 };
        assert_eq!(flat_colour(&px, 0, 0), None, "one pixel differs");
    }

    #[test]
    fn pixels_that_cannot_be_a_jpeg_are_refused() {
        let rgb = [0u8; 16];
        let px = |w, h, bpp| Pixels { data: &rgb, width: w, height: h, bpp };
        assert!(encode(&px(0, 4, 3), 88).is_err());
        assert!(encode(&px(70_000, 1, 3), 88).is_err());
        assert!(encode(&px(2, 2, 4), 88).is_ok());
        assert!(encode(&px(3, 2, 4), 88).is_err());
        assert!(encode(&px(2, 2, 2), 88).is_err());
    }
}
