//! The booklet made from the pamphlet's own PDF: each pamphlet page's content
//! stream is copied, still compressed, into a form XObject (PDF 1.7 §8.10), with
//! the fonts, images and colour spaces it uses, and each sheet places two of them.
//! Drawing every page a second time had cost as much as the pamphlet itself.
//!
//! It reads only what quire's PDF writer (krilla) writes: a classic cross-reference
//! table, one page tree, a page's content in one stream. Anything else gives `None`,
//! and the booklet is drawn instead ([`super::render_booklet`]). The forms carry
//! no transparency group (print preflight reports one as transparency).

use std::collections::BTreeMap;
use std::ops::Range;

use super::BookletOptions;

/// The booklet of the pamphlet `pdf`, whose pages are `trim` points (width,
/// height); `None` when the PDF is not one this reader knows.
pub fn from_pamphlet(
    pdf: &[u8],
    trim: (f32, f32),
    opts: &BookletOptions,
    rtl: bool,
) -> Option<Vec<u8>> {
    let src = Source::parse(pdf)?;
    let pages = src.pages()?;
    // 1: the catalog, 2: the page tree, 3: the document information.
    let mut out = Out { next: 4, ..Out::default() };
    let mut copier = Copier { src: &src, map: BTreeMap::new(), queue: Vec::new() };
    let forms = (pages.iter())
        .map(|p| form(&mut out, &mut copier, p))
        .collect::<Option<Vec<u32>>>()?;
    let sides = crate::print::impose(pages.len(), opts.signature, opts.duplex, rtl);
    let kids: Vec<u32> = (sides.iter())
        .map(|side| sheet(&mut out, opts, trim, (&pages, &forms), side))
        .collect();
    let (catalog, info) = src.catalog_and_info();
    // The pamphlet's information dictionary, with anything it refers to.
    let info = copier.renumber(info.unwrap_or(b"<<>>"), &mut out)?;
    let catalog = catalog_like(catalog, &mut copier, &mut out)?;
    copier.drain(&mut out)?;
    out.objects.insert(1, catalog);
    out.objects.insert(2, page_tree(&kids));
    out.objects.insert(3, info);
    Some(out.finish())
}

/// The booklet's catalog: its page tree, and the pamphlet's language and viewer
/// preferences (a right-to-left pamphlet's reading direction, the title shown).
fn catalog_like(
    pamphlet: Option<&[u8]>,
    copier: &mut Copier,
    out: &mut Out,
) -> Option<Vec<u8>> {
    let mut cat = b"<</Type/Catalog/Pages 2 0 R".to_vec();
    for key in [&b"Lang"[..], b"ViewerPreferences"] {
        if let Some(c) = pamphlet
            && let Some(value) = dict_get(c, key)
        {
            cat.push(b'/');
            cat.extend(key);
            cat.extend(copier.renumber(&c[value], out)?);
        }
    }
    cat.extend(b">>");
    Some(cat)
}

fn page_tree(kids: &[u32]) -> Vec<u8> {
    let refs: Vec<String> = kids.iter().map(|k| format!("{k} 0 R")).collect();
    format!("<</Type/Pages/Kids[{}]/Count {}>>", refs.join(" "), kids.len()).into_bytes()
}

/// A pamphlet page as the booklet needs it.
struct PageSrc<'a> {
    /// Its content stream: the dictionary and the (compressed) data.
    contents: (&'a [u8], &'a [u8]),
    /// Its `/Resources` value, as written (a dictionary or a reference).
    resources: &'a [u8],
    media: [f32; 4],
    trim: [f32; 4],
}

/// A page's form XObject: its content stream under its resources.
fn form(out: &mut Out, copier: &mut Copier, p: &PageSrc) -> Option<u32> {
    let id = out.id();
    let (dict, data) = p.contents;
    let inner = dict.get(2..dict.len().checked_sub(2)?)?;
    let [a, b, c, d] = p.media.map(num);
    let mut obj =
        format!("<</Type/XObject/Subtype/Form/BBox[{a} {b} {c} {d}]/Resources ")
            .into_bytes();
    obj.extend(copier.renumber(p.resources, out)?);
    obj.extend(copier.renumber(inner, out)?);
    obj.extend(b">>\nstream\n");
    obj.extend(data);
    obj.extend(b"\nendstream");
    out.objects.insert(id, obj);
    Some(id)
}

/// One printed side: its two halves, each a page placed on its trim (the fold
/// between them), clipped to it, moved toward the fold by the sheet's creep; a
/// turned side rotated 180° ([`crate::print::half_place`], as the drawn booklet).
fn sheet(
    out: &mut Out,
    opts: &BookletOptions,
    (w, h): (f32, f32),
    (pages, forms): (&[PageSrc], &[u32]),
    side: &crate::print::PrintedSide,
) -> u32 {
    let (sw, sh) = opts.sheet;
    let mut ops = String::from("q\n");
    if side.turned {
        ops += &format!("-1 0 0 -1 {} {} cm\n", num(sw), num(sh));
    }
    let mut xobjects = String::new();
    for (half, number) in side.pages.iter().enumerate() {
        let Some(n) = number else { continue };
        let Some((page, form)) = pages.get(n - 1).zip(forms.get(n - 1)) else { continue };
        let at = crate::print::half_place((sw, sh), (w, h), half, side.nest, opts.creep);
        let (tx, ty) = (at.page_x - page.trim[0], at.y - page.trim[1]);
        ops += &format!(
            "q {} {} {} {} re W n 1 0 0 1 {} {} cm /P{n} Do Q\n",
            num(at.clip_x),
            num(at.y),
            num(w),
            num(h),
            num(tx),
            num(ty)
        );
        xobjects += &format!("/P{n} {form} 0 R");
    }
    ops += "Q\n";
    let contents = out.id();
    let mut stream = format!("<</Length {}>>\nstream\n", ops.len()).into_bytes();
    stream.extend(ops.as_bytes());
    stream.extend(b"\nendstream");
    out.objects.insert(contents, stream);
    let id = out.id();
    let (sw, sh) = (num(sw), num(sh));
    let page = format!(
        "<</Type/Page/Parent 2 0 R/MediaBox[0 0 {sw} {sh}]/TrimBox[0 0 {sw} {sh}]/Resources<</XObject<<{xobjects}>>>>/Contents {contents} 0 R>>"
    );
    out.objects.insert(id, page.into_bytes());
    id
}

/// A number as PDF writes it: at most four decimals, no trailing zeros.
fn num(x: f32) -> String {
    let s = format!("{:.4}", x);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// The booklet's objects, by number, and the next free number.
#[derive(Default)]
struct Out {
    objects: BTreeMap<u32, Vec<u8>>,
    next: u32,
}

impl Out {
    fn id(&mut self) -> u32 {
        self.next += 1;
        self.next - 1
    }

    /// The file: header, objects, cross-reference table and trailer, its
    /// identifier a hash of the objects (no clock, no randomness).
    fn finish(self) -> Vec<u8> {
        let mut pdf = b"%PDF-1.7\n%\x80\x80\x80\x80\n".to_vec();
        let size = self.objects.keys().max().map_or(1, |m| m + 1);
        let mut offsets = vec![None; size as usize];
        for (id, body) in &self.objects {
            offsets[*id as usize] = Some(pdf.len());
            pdf.extend(format!("{id} 0 obj\n").as_bytes());
            pdf.extend(body);
            pdf.extend(b"\nendobj\n");
        }
        let id = fingerprint(&pdf);
        let xref = pdf.len();
        pdf.extend(format!("xref\n0 {size}\n").as_bytes());
        for o in &offsets {
            let entry = match o {
                Some(at) => format!("{at:010} 00000 n\r\n"),
                None => "0000000000 65535 f\r\n".into(),
            };
            pdf.extend(entry.as_bytes());
        }
        pdf.extend(
            format!(
                "trailer\n<</Size {size}/Root 1 0 R/Info 3 0 R/ID[<{id}><{id}>]>>\nstartxref\n{xref}\n%%EOF\n"
            )
            .as_bytes(),
        );
        pdf
    }
}

/// Sixteen bytes of FNV-1a (64-bit, two offset bases) over the bytes, in hex.
fn fingerprint(bytes: &[u8]) -> String {
    let fnv = |mut h: u64| {
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    };
    format!("{:016x}{:016x}", fnv(0xcbf2_9ce4_8422_2325), fnv(0x8422_2325_cbf2_9ce4))
}

/// Copies objects of the pamphlet into the booklet under new numbers, with every
/// object they refer to.
struct Copier<'a> {
    src: &'a Source<'a>,
    /// Pamphlet number → booklet number.
    map: BTreeMap<u32, u32>,
    /// Pamphlet objects numbered but not yet copied.
    queue: Vec<u32>,
}

impl Copier<'_> {
    /// `text` (a value, or a dictionary's entries) with each reference renumbered;
    /// the objects referred to are copied later ([`Copier::drain`]).
    fn renumber(&mut self, text: &[u8], out: &mut Out) -> Option<Vec<u8>> {
        let mut refs = Vec::new();
        let mut i = 0;
        while let Some(j) = skip_ws(text, i) {
            i = walk(text, j, &mut |r, n| refs.push((r, n)))?;
        }
        let mut done = Vec::with_capacity(text.len());
        let mut last = 0;
        for (r, n) in refs {
            let new = *self.map.entry(n).or_insert_with(|| {
                self.queue.push(n);
                out.id()
            });
            done.extend(&text[last..r.start]);
            done.extend(format!("{new} 0 R").as_bytes());
            last = r.end;
        }
        done.extend(&text[last..]);
        Some(done)
    }

    /// Copies every queued object, and those they refer to in turn.
    fn drain(&mut self, out: &mut Out) -> Option<()> {
        while let Some(n) = self.queue.pop() {
            let new = self.map[&n];
            let (value, stream) = self.src.object(n)?;
            let mut body = self.renumber(value, out)?;
            if let Some(data) = stream {
                body.extend(b"\nstream\n");
                body.extend(data);
                body.extend(b"\nendstream");
            }
            out.objects.insert(new, body);
        }
        Some(())
    }
}

/// The pamphlet PDF: its bytes and where each object starts.
struct Source<'a> {
    pdf: &'a [u8],
    offsets: BTreeMap<u32, usize>,
    trailer: &'a [u8],
}

impl<'a> Source<'a> {
    /// Reads the last cross-reference table and its trailer.
    fn parse(pdf: &'a [u8]) -> Option<Source<'a>> {
        let at = find_last(pdf, b"startxref")?;
        let digits = std::str::from_utf8(&pdf[at + 9..]).ok()?;
        let xref: usize = digits.split_whitespace().next()?.parse().ok()?;
        let mut lines = pdf.get(xref..)?.split(|&b| b == b'\n');
        if lines.next()?.trim_ascii() != b"xref" {
            return None;
        }
        let mut offsets = BTreeMap::new();
        loop {
            let line = lines.next()?.trim_ascii();
            if line == b"trailer" {
                break;
            }
            let head = std::str::from_utf8(line).ok()?;
            let mut it = head.split_whitespace();
            let (first, count): (u32, u32) =
                (it.next()?.parse().ok()?, it.next()?.parse().ok()?);
            for k in 0..count {
                let e = std::str::from_utf8(lines.next()?.trim_ascii()).ok()?;
                let mut f = e.split_whitespace();
                let (off, _gen, kind) = (f.next()?, f.next()?, f.next()?);
                if kind == "n" {
                    offsets.insert(first.checked_add(k)?, off.parse().ok()?);
                }
            }
        }
        let t = find_last(pdf, b"trailer")? + 7;
        let t = skip_ws(pdf, t)?;
        let end = walk(pdf, t, &mut |_, _| {})?;
        Some(Source { pdf, offsets, trailer: &pdf[t..end] })
    }

    /// Object `n`: its value, and its stream's data when it has one.
    fn object(&self, n: u32) -> Option<(&'a [u8], Option<&'a [u8]>)> {
        let at = *self.offsets.get(&n)?;
        let head = format!("{n} 0 obj");
        let rest = self.pdf.get(at..)?;
        if !rest.starts_with(head.as_bytes()) {
            return None;
        }
        let start = skip_ws(self.pdf, at + head.len())?;
        let end = walk(self.pdf, start, &mut |_, _| {})?;
        let value = &self.pdf[start..end];
        let after = skip_ws(self.pdf, end)?;
        if !self.pdf[after..].starts_with(b"stream") {
            return Some((value, None));
        }
        // The data starts after the keyword's end of line (CRLF or LF, §7.3.8.1).
        let mut data = after + 6;
        data += match self.pdf.get(data..data + 2)? {
            [b'\r', b'\n'] => 2,
            [b'\n', _] => 1,
            _ => return None,
        };
        let len = dict_get(value, b"Length").map(|r| &value[r])?;
        let len: usize = std::str::from_utf8(len).ok()?.trim().parse().ok()?;
        let end = data.checked_add(len)?;
        let stream = self.pdf.get(data..end)?;
        // A length that does not end at `endstream` is not trusted.
        let after = skip_ws(self.pdf, end)?;
        self.pdf[after..].starts_with(b"endstream").then_some((value, Some(stream)))
    }

    /// The object a value that is one reference (`12 0 R`) names; `None` for any
    /// other value (an array of streams, a direct dictionary).
    fn resolve(&self, value: &[u8]) -> Option<(&'a [u8], Option<&'a [u8]>)> {
        let mut found = Vec::new();
        walk(value, 0, &mut |r, n| found.push((r, n)))?;
        match found[..] {
            [(ref r, n)] if *r == (0..value.len()) => self.object(n),
            _ => None,
        }
    }

    /// The document catalog and information dictionary.
    fn catalog_and_info(&self) -> (Option<&'a [u8]>, Option<&'a [u8]>) {
        let get = |key: &[u8]| {
            let r = dict_get(self.trailer, key)?;
            self.resolve(&self.trailer[r]).map(|(v, _)| v)
        };
        (get(b"Root"), get(b"Info"))
    }

    /// The pages, in order, from a page tree of one level (as krilla writes it).
    fn pages(&self) -> Option<Vec<PageSrc<'a>>> {
        let catalog = self.catalog_and_info().0?;
        let (tree, _) = self.resolve(&catalog[dict_get(catalog, b"Pages")?])?;
        let kids = &tree[dict_get(tree, b"Kids")?];
        let mut numbers = Vec::new();
        walk(kids, 0, &mut |_, n| numbers.push(n))?;
        numbers.iter().map(|&n| self.page(n)).collect()
    }

    fn page(&self, n: u32) -> Option<PageSrc<'a>> {
        let (page, _) = self.object(n)?;
        if page[dict_get(page, b"Type")?] != b"/Page"[..] {
            return None;
        }
        let (cdict, data) = self.resolve(&page[dict_get(page, b"Contents")?])?;
        let media = rect(&page[dict_get(page, b"MediaBox")?])?;
        let trim =
            dict_get(page, b"TrimBox").and_then(|r| rect(&page[r])).unwrap_or(media);
        Some(PageSrc {
            contents: (cdict, data?),
            resources: &page[dict_get(page, b"Resources")?],
            media,
            trim,
        })
    }
}

/// A rectangle `[a b c d]`.
fn rect(value: &[u8]) -> Option<[f32; 4]> {
    let text = std::str::from_utf8(value.strip_prefix(b"[")?.strip_suffix(b"]")?).ok()?;
    let v: Vec<f32> =
        text.split_whitespace().map(|t| t.parse().ok()).collect::<Option<_>>()?;
    v.try_into().ok()
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Whether a byte ends a token (PDF 1.7 §7.2.2: white space and delimiters).
fn delimiter(b: u8) -> bool {
    b.is_ascii_whitespace() || b"()<>[]{}/%".contains(&b) || b == 0
}

/// The first byte at or after `i` that is not white space or a comment; `None` at
/// the end.
fn skip_ws(b: &[u8], mut i: usize) -> Option<usize> {
    loop {
        match b.get(i)? {
            c if c.is_ascii_whitespace() || *c == 0 => i += 1,
            b'%' => {
                while !matches!(b.get(i)?, b'\n' | b'\r') {
                    i += 1;
                }
            }
            _ => return Some(i),
        }
    }
}

/// The value of `key` in the dictionary `dict` (`<<…>>`), as the range of its
/// bytes.
fn dict_get(dict: &[u8], key: &[u8]) -> Option<Range<usize>> {
    let mut i = skip_ws(dict, 0)?;
    if !dict[i..].starts_with(b"<<") {
        return None;
    }
    i += 2;
    loop {
        i = skip_ws(dict, i)?;
        if dict[i..].starts_with(b">>") {
            return None;
        }
        let k = walk(dict, i, &mut |_, _| {})?;
        let v = skip_ws(dict, k)?;
        let end = walk(dict, v, &mut |_, _| {})?;
        if dict.get(i + 1..k) == Some(key) && dict[i] == b'/' {
            return Some(v..end);
        }
        i = end;
    }
}

/// The end of the value starting at `i` — a dictionary, an array, a string, a
/// name, a number, a reference or a keyword — calling `on_ref` with the range and
/// number of each reference (`N G R`) in it.
fn walk(b: &[u8], i: usize, on_ref: &mut impl FnMut(Range<usize>, u32)) -> Option<usize> {
    walk_nested(b, i, 0, on_ref)
}

/// Arrays and dictionaries nested deeper than this are refused (quire writes
/// four or five levels), so that no input can exhaust the stack.
const MAX_DEPTH: usize = 64;

fn walk_nested(
    b: &[u8],
    i: usize,
    depth: usize,
    on_ref: &mut impl FnMut(Range<usize>, u32),
) -> Option<usize> {
    if depth > MAX_DEPTH {
        return None;
    }
    match *b.get(i)? {
        b'<' if b.get(i + 1) == Some(&b'<') => {
            let mut j = i + 2;
            loop {
                j = skip_ws(b, j)?;
                if b[j..].starts_with(b">>") {
                    return Some(j + 2);
                }
                j = walk_nested(b, j, depth + 1, on_ref)?;
            }
        }
        b'[' => {
            let mut j = i + 1;
            loop {
                j = skip_ws(b, j)?;
                if b[j] == b']' {
                    return Some(j + 1);
                }
                j = walk_nested(b, j, depth + 1, on_ref)?;
            }
        }
        b'(' => {
            let (mut j, mut depth) = (i + 1, 1);
            while depth > 0 {
                match *b.get(j)? {
                    b'\\' => j += 1,
                    b'(' => depth += 1,
                    b')' => depth -= 1,
                    _ => {}
                }
                j += 1;
            }
            Some(j)
        }
        b'<' => Some(i + b.get(i..)?.iter().position(|&c| c == b'>')? + 1),
        b'/' => Some(
            i + 1
                + b.get(i + 1..)?
                    .iter()
                    .position(|&c| delimiter(c))
                    .unwrap_or(b.len() - i - 1),
        ),
        c if c.is_ascii_digit() || c == b'-' || c == b'+' || c == b'.' => {
            let end = token_end(b, i);
            match reference(b, i, end) {
                Some((r_end, n)) => {
                    on_ref(i..r_end, n);
                    Some(r_end)
                }
                None => Some(end),
            }
        }
        c if c.is_ascii_alphabetic() => Some(token_end(b, i)),
        _ => None,
    }
}

fn token_end(b: &[u8], i: usize) -> usize {
    i + b[i..].iter().position(|&c| delimiter(c)).unwrap_or(b.len() - i)
}

/// A reference `N G R` starting at `i`, whose first number ends at `end`: where it
/// ends and its object number.
fn reference(b: &[u8], i: usize, end: usize) -> Option<(usize, u32)> {
    if !b[i..end].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n: u32 = std::str::from_utf8(&b[i..end]).ok()?.parse().ok()?;
    let g = skip_ws(b, end)?;
    let g_end = token_end(b, g);
    if g == end || !b[g..g_end].iter().all(u8::is_ascii_digit) || g_end == g {
        return None;
    }
    let r = skip_ws(b, g_end)?;
    (r > g_end && b.get(r) == Some(&b'R') && b.get(r + 1).is_none_or(|&c| delimiter(c)))
        .then_some((r + 1, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_found_and_nothing_else() {
        let text = b"<</Font<</f0 141 0 R/f1 144 0 R>>/MediaBox[0 0 436.5 612]/T(1 0 R \\) 2 0 R)/A[5 0 R]/N 7>>";
        let mut refs = Vec::new();
        let end = walk(text, 0, &mut |r, n| {
            refs.push((String::from_utf8_lossy(&text[r]).into_owned(), n))
        });
        assert_eq!(end, Some(text.len()));
        let want = [("141 0 R", 141), ("144 0 R", 144), ("5 0 R", 5)];
        assert_eq!(refs, want.map(|(s, n)| (s.to_string(), n)));
        assert_eq!(dict_get(text, b"N").map(|r| &text[r]), Some(&b"7"[..]));
        assert_eq!(dict_get(text, b"f0"), None, "only the top level");
        let mb = dict_get(text, b"MediaBox").map(|r| rect(&text[r]));
        assert_eq!(mb, Some(Some([0.0, 0.0, 436.5, 612.0])));
    }

    /// A PDF quire wrote, then that PDF damaged a few thousand ways: a booklet or
    /// `None`, never a panic.
    #[test]
    fn a_damaged_pdf_gives_a_booklet_or_none() {
        use crate::layout::{Fonts, LayoutOptions, Makeup, layout};
        let text = "---\ntitle: T\nlang: en\n---\n\nA (paren) word [^1] and /slash <hex>.\n\n[^1]: A note.\n";
        let src = crate::diag::Source::new("b.md", text.to_string());
        let (doc, mut diags) = crate::load(&src);
        let fonts = Fonts::new();
        let opts = LayoutOptions { kind: Some(Makeup::Pamphlet), ..LayoutOptions::a5() };
        let l = layout(&doc, &fonts, &opts, &mut diags);
        let pdf_opts =
            super::super::PdfOptions { bleed: 8.5, modified: 0, crop_marks: false };
        let pdf =
            super::super::render(&l, &doc.meta, &fonts, &BTreeMap::new(), &pdf_opts)
                .unwrap()
                .bytes;
        let opts = BookletOptions {
            duplex: crate::print::Duplex::default(),
            creep: 0.1,
            modified: 0,
            sheet: (841.9, 595.3),
            signature: None,
        };
        let trim = (419.5, 595.3);
        assert!(from_pamphlet(&pdf, trim, &opts, false).is_some(), "quire's own PDF");
        let mut s: u64 = 1;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s as usize
        };
        for k in 0..3000 {
            let mut m = pdf.clone();
            let at = next() % m.len();
            match k % 3 {
                0 => m.truncate(at),
                1 => m[at] = next() as u8,
                _ => m[at] = b"()<>[]/% R0\n\\9"[next() % 14],
            }
            if let Some(booklet) = from_pamphlet(&m, trim, &opts, k % 2 == 0) {
                let again = Source::parse(&booklet).and_then(|s| s.pages());
                assert!(again.is_some(), "a booklet made is one the reader reads");
            }
        }
        let deep = [&b"1 0 obj\n"[..], &[b'['; 100_000], b"]\nendobj\n"].concat();
        assert_eq!(walk(&deep, 8, &mut |_, _| {}), None, "nested too deep");
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(841.8898), "841.8898");
        assert_eq!(num(12.0), "12");
        assert_eq!(num(-0.00001), "0");
        assert_eq!(num(0.5), "0.5");
    }
}
