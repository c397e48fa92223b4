//! A small typed HCL writer: a document is built from blocks, attributes
//! and expressions (strings, references, calls), never from pasted text,
//! and printed the way `terraform fmt` prints it (two-space indents, the
//! `=` of neighbouring one-line attributes aligned, every string escaped),
//! so that `terraform fmt -check` passes on what it writes.

use std::fmt::Write as _;

/// An expression on the right of `=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Str(String),
    Bool(bool),
    Num(i64),
    List(Vec<Expr>),
    /// `{ key = value, … }`, written one pair per line.
    Object(Vec<(String, Expr)>),
    /// A reference: `aws_vpc_endpoint.pl_1000.dns_entry[0].dns_name`.
    Ref(Vec<Part>),
    /// A function call: `contains(list, value)`.
    Call(&'static str, Vec<Expr>),
    /// `[for x in collection : value]`.
    For {
        var: String,
        over: Box<Expr>,
        value: Box<Expr>,
    },
}

/// One step of a reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Name(String),
    Index(u32),
}

impl Expr {
    pub fn str(s: impl Into<String>) -> Expr {
        Expr::Str(s.into())
    }

    /// `a.b.c`, each name an identifier.
    pub fn path(names: &[&str]) -> Expr {
        Expr::Ref(names.iter().map(|n| Part::Name((*n).to_owned())).collect())
    }

    /// This reference, then `.name`.
    pub fn dot(self, name: &str) -> Expr {
        self.then(Part::Name(name.to_owned()))
    }

    /// This reference, then `[i]`.
    pub fn at(self, i: u32) -> Expr {
        self.then(Part::Index(i))
    }

    fn then(self, part: Part) -> Expr {
        match self {
            Expr::Ref(mut parts) => {
                parts.push(part);
                Expr::Ref(parts)
            }
            other => other,
        }
    }

    /// Whether it prints on one line.
    fn is_inline(&self) -> bool {
        !matches!(self, Expr::Object(pairs) if !pairs.is_empty())
    }
}

/// A block: `kind "label" … { body }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    pub body: Body,
}

impl Block {
    pub fn new(kind: &str, labels: &[&str]) -> Block {
        Block {
            kind: kind.to_owned(),
            labels: labels.iter().map(|l| (*l).to_owned()).collect(),
            body: Body::default(),
        }
    }

    pub fn attr(mut self, name: &str, value: Expr) -> Block {
        self.body = self.body.attr(name, value);
        self
    }

    pub fn block(mut self, block: Block) -> Block {
        self.body = self.body.block(block);
        self
    }

    pub fn comment(mut self, text: &str) -> Block {
        self.body = self.body.comment(text);
        self
    }

    /// The block as text, each line commented out: what the provider
    /// cannot take, shown for reference.
    pub fn commented_out(&self) -> String {
        let mut out = String::new();
        write_block(&mut out, self, 0);
        out.lines()
            .map(|l| match l {
                "" => "#".to_owned(),
                l => format!("# {l}"),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// One thing in a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Attr(String, Expr),
    Block(Block),
    /// A `#` comment, one per line of text.
    Comment(String),
    /// Text already commented out (`Block::commented_out`).
    Commented(String),
    Blank,
}

/// The inside of a block, or a whole file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Body {
    pub items: Vec<Item>,
}

impl Body {
    pub fn attr(mut self, name: &str, value: Expr) -> Body {
        self.items.push(Item::Attr(name.to_owned(), value));
        self
    }

    pub fn block(mut self, block: Block) -> Body {
        self.items.push(Item::Block(block));
        self
    }

    pub fn comment(mut self, text: &str) -> Body {
        self.items.push(Item::Comment(text.to_owned()));
        self
    }

    pub fn push(&mut self, item: Item) {
        self.items.push(item);
    }

    /// The file: top-level items, blocks apart by a blank line.
    pub fn to_file(&self) -> String {
        let mut out = String::new();
        write_body(&mut out, self, 0);
        let mut text = out.trim_end().to_owned();
        text.push('\n');
        text
    }
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// Writes a body: runs of one-line attributes aligned on `=` (a blank
/// line, a block, a comment or a multi-line value ends a run, as in
/// `terraform fmt`).
fn write_body(out: &mut String, body: &Body, depth: usize) {
    let items = &body.items;
    let mut i = 0;
    while i < items.len() {
        match &items[i] {
            Item::Attr(_, value) if value.is_inline() => {
                let run_end = (i..items.len())
                    .find(|j| !matches!(&items[*j], Item::Attr(_, v) if v.is_inline()))
                    .unwrap_or(items.len());
                let width = items[i..run_end]
                    .iter()
                    .map(|it| match it {
                        Item::Attr(name, _) => key(name).chars().count(),
                        _ => 0,
                    })
                    .max()
                    .unwrap_or(0);
                for it in &items[i..run_end] {
                    if let Item::Attr(name, value) = it {
                        write_attr(out, name, value, depth, width);
                    }
                }
                i = run_end;
            }
            Item::Attr(name, value) => {
                write_attr(out, name, value, depth, key(name).chars().count());
                i += 1;
            }
            Item::Block(block) => {
                // Top-level blocks stand apart, each with its comment.
                let commented =
                    i > 0 && matches!(items[i - 1], Item::Comment(_) | Item::Commented(_));
                if depth == 0 && !commented && !out.is_empty() && !out.ends_with("\n\n") {
                    out.push('\n');
                }
                write_block(out, block, depth);
                if depth == 0 {
                    out.push('\n');
                }
                i += 1;
            }
            Item::Comment(text) => {
                for line in text.lines() {
                    indent(out, depth);
                    match line {
                        "" => out.push_str("#\n"),
                        l => {
                            let _ = writeln!(out, "# {l}");
                        }
                    }
                }
                i += 1;
            }
            Item::Commented(text) => {
                for line in text.lines() {
                    indent(out, depth);
                    out.push_str(line);
                    out.push('\n');
                }
                i += 1;
            }
            Item::Blank => {
                if !out.ends_with("\n\n") && !out.is_empty() {
                    out.push('\n');
                }
                i += 1;
            }
        }
    }
}

fn write_attr(out: &mut String, name: &str, value: &Expr, depth: usize, width: usize) {
    indent(out, depth);
    let k = key(name);
    let pad = width.saturating_sub(k.chars().count());
    let _ = write!(out, "{k}{} = ", " ".repeat(pad));
    write_expr(out, value, depth);
    out.push('\n');
}

fn write_block(out: &mut String, block: &Block, depth: usize) {
    indent(out, depth);
    out.push_str(&block.kind);
    for label in &block.labels {
        out.push(' ');
        out.push_str(&quoted(label));
    }
    if block.body.items.is_empty() {
        out.push_str(" {}\n");
        return;
    }
    out.push_str(" {\n");
    write_body(out, &block.body, depth + 1);
    indent(out, depth);
    out.push_str("}\n");
}

fn write_expr(out: &mut String, e: &Expr, depth: usize) {
    match e {
        Expr::Str(s) => out.push_str(&quoted(s)),
        Expr::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Expr::Num(n) => {
            let _ = write!(out, "{n}");
        }
        Expr::List(items) => {
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                write_expr(out, item, depth);
            }
            out.push(']');
        }
        Expr::Object(pairs) if pairs.is_empty() => out.push_str("{}"),
        Expr::Object(pairs) => {
            out.push_str("{\n");
            let body = Body {
                items: pairs
                    .iter()
                    .map(|(k, v)| Item::Attr(k.clone(), v.clone()))
                    .collect(),
            };
            write_body(out, &body, depth + 1);
            indent(out, depth);
            out.push('}');
        }
        Expr::Ref(parts) => {
            for (n, part) in parts.iter().enumerate() {
                match part {
                    Part::Name(name) if n == 0 => out.push_str(name),
                    Part::Name(name) => {
                        out.push('.');
                        out.push_str(name);
                    }
                    Part::Index(i) => {
                        let _ = write!(out, "[{i}]");
                    }
                }
            }
        }
        Expr::Call(name, args) => {
            out.push_str(name);
            out.push('(');
            for (n, arg) in args.iter().enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                write_expr(out, arg, depth);
            }
            out.push(')');
        }
        Expr::For { var, over, value } => {
            let _ = write!(out, "[for {var} in ");
            write_expr(out, over, depth);
            out.push_str(" : ");
            write_expr(out, value, depth);
            out.push(']');
        }
    }
}

/// An attribute or object key: bare when it is an identifier, quoted
/// otherwise (`"privatelink-bot:job"`).
fn key(name: &str) -> String {
    if is_identifier(name) {
        name.to_owned()
    } else {
        quoted(name)
    }
}

/// Whether `s` may stand bare as an HCL identifier.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A quoted HCL string: quotes, backslashes and control characters
/// escaped, and `${` / `%{` doubled so that nothing is interpolated.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A name Terraform accepts for a resource: lower case letters, digits
/// and `_`, starting with a letter.
pub fn name(parts: &[&str]) -> String {
    let joined = parts.join("_").to_ascii_lowercase();
    let mut out: String = joined
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert(0, 'r');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_and_never_interpolated() {
        assert_eq!(quoted("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quoted("${x} %{y} $z"), r#""$${x} %%{y} $z""#);
        assert_eq!(quoted("line\nnext\u{7}"), r#""line\nnext\u0007""#);
    }

    #[test]
    fn neighbouring_attributes_align_and_blocks_break_the_run() {
        let block = Block::new("resource", &["aws_route53_record", "r"])
            .attr("zone_id", Expr::path(&["aws_route53_zone", "z", "zone_id"]))
            .attr("name", Expr::str("h.example.com"))
            .block(
                Block::new("alias", &[])
                    .attr("name", Expr::path(&["a"]).at(0).dot("dns_name"))
                    .attr("evaluate_target_health", Expr::Bool(false)),
            );
        let text = Body::default().block(block).to_file();
        assert_eq!(
            text,
            "resource \"aws_route53_record\" \"r\" {\n  zone_id = aws_route53_zone.z.zone_id\n  name    = \"h.example.com\"\n  alias {\n    name                   = a[0].dns_name\n    evaluate_target_health = false\n  }\n}\n"
        );
    }

    #[test]
    fn names_are_identifiers() {
        assert_eq!(name(&["PL-1000", "in01-abc"]), "pl_1000_in01_abc");
        assert_eq!(name(&["1x"]), "r1x");
        assert!(is_identifier(&name(&["é", "x"])));
    }
}
