//! Validation-rule expressions over indicator codes.
//!
//! Grammar (precedence low → high):
//! `or` · `and` · `not` · comparison (`== != < <= > >=`) · `+ -` · `* /` · unary `-` ·
//! atom: number (`12`, `0.5`), indicator code (`dvc_muc4`), `( … )`, call `f(a, …)`.
//! Functions: `sum`, `min`, `max`, `abs`, `round(x, digits)`, `pct(part, whole)`,
//! `present(code)`, `coalesce(x, default)`.
//!
//! A rule whose value depends on a missing indicator evaluates to
//! [`Value::Missing`] and is skipped: a draft with empty cells is not an error.

use std::collections::BTreeSet;

use crate::error::{CoreError, ErrorCode};

/// Parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    Var(String),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Sum,
    Min,
    Max,
    Abs,
    Round,
    Pct,
    Present,
    Coalesce,
    /// `round_eq(stated, exact)`: `exact` rounded to as many decimals as `stated`
    /// shows equals `stated` (87,9 for 87,898 passes; 87,8 does not).
    RoundEq,
}

/// Result of evaluating an expression.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Num(f64),
    Bool(bool),
    /// Some input was missing (or a division by zero): the rule does not apply.
    Missing,
}

const MAX_LEN: usize = 4096;
const MAX_DEPTH: usize = 64;
/// Two numbers closer than this are equal (values are kept in thousandths).
const EPS: f64 = 1e-6;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Ident(String),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
}

fn err(msg: impl Into<String>) -> CoreError {
    CoreError::new(ErrorCode::InvalidExpression, msg)
}

fn tokenize(src: &str) -> Result<Vec<Tok>, CoreError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let s: String = chars[start..i].iter().collect();
            let n: f64 = s
                .parse()
                .map_err(|_| err(format!("Số «{s}» trong biểu thức không hợp lệ")))?;
            out.push(Tok::Num(n));
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let op2 = ["==", "!=", "<=", ">=", "&&", "||"]
            .into_iter()
            .find(|o| *o == two);
        if let Some(op) = op2 {
            out.push(Tok::Op(match op {
                "&&" => "and",
                "||" => "or",
                o => o,
            }));
            i += 2;
            continue;
        }
        let tok = match c {
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            ',' => Tok::Comma,
            '+' => Tok::Op("+"),
            '-' => Tok::Op("-"),
            '*' => Tok::Op("*"),
            '/' => Tok::Op("/"),
            '<' => Tok::Op("<"),
            '>' => Tok::Op(">"),
            '!' => Tok::Op("not"),
            _ => return Err(err(format!("Ký tự «{c}» không được phép trong biểu thức"))),
        };
        out.push(tok);
        i += 1;
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn is_op(&self, op: &str) -> bool {
        match self.peek() {
            Some(Tok::Op(o)) => *o == op,
            Some(Tok::Ident(w)) => (op == "and" || op == "or" || op == "not") && w == op,
            _ => false,
        }
    }

    fn enter(&mut self) -> Result<(), CoreError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err("Biểu thức lồng nhau quá sâu"));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, CoreError> {
        self.enter()?;
        let mut lhs = self.and()?;
        while self.is_op("or") {
            self.pos += 1;
            let rhs = self.and()?;
            lhs = Expr::Bin(BinOp::Or, Box::new(lhs), Box::new(rhs));
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn and(&mut self) -> Result<Expr, CoreError> {
        let mut lhs = self.not()?;
        while self.is_op("and") {
            self.pos += 1;
            let rhs = self.not()?;
            lhs = Expr::Bin(BinOp::And, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn not(&mut self) -> Result<Expr, CoreError> {
        if self.is_op("not") {
            self.pos += 1;
            self.enter()?;
            let e = self.not()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(e)));
        }
        self.cmp()
    }

    fn cmp(&mut self) -> Result<Expr, CoreError> {
        let lhs = self.add()?;
        let op = match self.peek() {
            Some(Tok::Op("==")) => BinOp::Eq,
            Some(Tok::Op("!=")) => BinOp::Ne,
            Some(Tok::Op("<")) => BinOp::Lt,
            Some(Tok::Op("<=")) => BinOp::Le,
            Some(Tok::Op(">")) => BinOp::Gt,
            Some(Tok::Op(">=")) => BinOp::Ge,
            _ => return Ok(lhs),
        };
        self.pos += 1;
        let rhs = self.add()?;
        Ok(Expr::Bin(op, Box::new(lhs), Box::new(rhs)))
    }

    fn add(&mut self) -> Result<Expr, CoreError> {
        let mut lhs = self.mul()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Op("+")) => BinOp::Add,
                Some(Tok::Op("-")) => BinOp::Sub,
                _ => return Ok(lhs),
            };
            self.pos += 1;
            let rhs = self.mul()?;
            lhs = Expr::Bin(op, Box::new(lhs), Box::new(rhs));
        }
    }

    fn mul(&mut self) -> Result<Expr, CoreError> {
        let mut lhs = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Op("*")) => BinOp::Mul,
                Some(Tok::Op("/")) => BinOp::Div,
                _ => return Ok(lhs),
            };
            self.pos += 1;
            let rhs = self.unary()?;
            lhs = Expr::Bin(op, Box::new(lhs), Box::new(rhs));
        }
    }

    fn unary(&mut self) -> Result<Expr, CoreError> {
        if self.is_op("-") {
            self.pos += 1;
            self.enter()?;
            let e = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Neg(Box::new(e)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, CoreError> {
        match self.next() {
            Some(Tok::Num(n)) => Ok(Expr::Num(n)),
            Some(Tok::LParen) => {
                let e = self.or()?;
                match self.next() {
                    Some(Tok::RParen) => Ok(e),
                    _ => Err(err("Thiếu dấu «)»")),
                }
            }
            Some(Tok::Ident(name)) => {
                if matches!(self.peek(), Some(Tok::LParen)) {
                    self.pos += 1;
                    let func = match name.as_str() {
                        "sum" => Func::Sum,
                        "min" => Func::Min,
                        "max" => Func::Max,
                        "abs" => Func::Abs,
                        "round" => Func::Round,
                        "pct" => Func::Pct,
                        "present" => Func::Present,
                        "coalesce" => Func::Coalesce,
                        "round_eq" => Func::RoundEq,
                        _ => return Err(err(format!("Hàm «{name}» không tồn tại"))),
                    };
                    let mut args = Vec::new();
                    if !matches!(self.peek(), Some(Tok::RParen)) {
                        loop {
                            args.push(self.or()?);
                            match self.next() {
                                Some(Tok::Comma) => continue,
                                Some(Tok::RParen) => break,
                                _ => {
                                    return Err(err(format!(
                                        "Thiếu «)» sau đối số của hàm «{name}»"
                                    )));
                                }
                            }
                        }
                    } else {
                        self.pos += 1;
                    }
                    let arity_ok = match func {
                        Func::Sum | Func::Min | Func::Max => !args.is_empty(),
                        Func::Abs => args.len() == 1,
                        Func::Present => args.len() == 1 && matches!(args[0], Expr::Var(_)),
                        Func::Round | Func::Pct | Func::Coalesce | Func::RoundEq => args.len() == 2,
                    };
                    if !arity_ok {
                        return Err(err(format!("Hàm «{name}» nhận sai số đối số")));
                    }
                    Ok(Expr::Call(func, args))
                } else if matches!(name.as_str(), "and" | "or" | "not") {
                    Err(err(format!("Thiếu toán hạng trước «{name}»")))
                } else {
                    Ok(Expr::Var(name))
                }
            }
            Some(t) => Err(err(format!("Không mong đợi «{}» ở đây", tok_text(&t)))),
            None => Err(err("Biểu thức kết thúc đột ngột")),
        }
    }
}

fn tok_text(t: &Tok) -> String {
    match t {
        Tok::Num(n) => n.to_string(),
        Tok::Ident(s) => s.clone(),
        Tok::Op(o) => (*o).to_string(),
        Tok::LParen => "(".into(),
        Tok::RParen => ")".into(),
        Tok::Comma => ",".into(),
    }
}

impl Expr {
    /// Parses an expression; every error is an [`ErrorCode::InvalidExpression`].
    pub fn parse(src: &str) -> Result<Expr, CoreError> {
        if src.len() > MAX_LEN {
            return Err(err("Biểu thức quá dài"));
        }
        let toks = tokenize(src)?;
        if toks.is_empty() {
            return Err(err("Biểu thức rỗng"));
        }
        let mut p = Parser {
            toks,
            pos: 0,
            depth: 0,
        };
        let e = p.or()?;
        if let Some(t) = p.peek() {
            return Err(err(format!("Thừa «{}» ở cuối biểu thức", tok_text(t))));
        }
        Ok(e)
    }

    /// Indicator codes the expression reads.
    pub fn variables(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        self.collect_vars(&mut out);
        out
    }

    fn collect_vars(&self, out: &mut BTreeSet<String>) {
        match self {
            Expr::Num(_) => {}
            Expr::Var(v) => {
                out.insert(v.clone());
            }
            Expr::Neg(e) | Expr::Not(e) => e.collect_vars(out),
            Expr::Bin(_, a, b) => {
                a.collect_vars(out);
                b.collect_vars(out);
            }
            Expr::Call(_, args) => args.iter().for_each(|a| a.collect_vars(out)),
        }
    }

    /// Evaluates with `lookup` giving each indicator's value (None when empty).
    pub fn eval(&self, lookup: &dyn Fn(&str) -> Option<f64>) -> Value {
        use Value::*;
        match self {
            Expr::Num(n) => Num(*n),
            Expr::Var(v) => lookup(v).map_or(Missing, Num),
            Expr::Neg(e) => match e.eval(lookup) {
                Num(n) => Num(-n),
                Bool(_) | Missing => Missing,
            },
            Expr::Not(e) => match e.eval(lookup) {
                Bool(b) => Bool(!b),
                _ => Missing,
            },
            Expr::Bin(op, a, b) => {
                let (x, y) = (a.eval(lookup), b.eval(lookup));
                match op {
                    BinOp::And => match (x, y) {
                        (Bool(false), _) | (_, Bool(false)) => Bool(false),
                        (Bool(true), Bool(true)) => Bool(true),
                        _ => Missing,
                    },
                    BinOp::Or => match (x, y) {
                        (Bool(true), _) | (_, Bool(true)) => Bool(true),
                        (Bool(false), Bool(false)) => Bool(false),
                        _ => Missing,
                    },
                    _ => {
                        let (Num(x), Num(y)) = (x, y) else {
                            return Missing;
                        };
                        match op {
                            BinOp::Add => Num(x + y),
                            BinOp::Sub => Num(x - y),
                            BinOp::Mul => Num(x * y),
                            BinOp::Div if y.abs() < EPS => Missing,
                            BinOp::Div => Num(x / y),
                            BinOp::Eq => Bool((x - y).abs() < EPS),
                            BinOp::Ne => Bool((x - y).abs() >= EPS),
                            BinOp::Lt => Bool(x < y - EPS),
                            BinOp::Le => Bool(x <= y + EPS),
                            BinOp::Gt => Bool(x > y + EPS),
                            BinOp::Ge => Bool(x >= y - EPS),
                            BinOp::And | BinOp::Or => unreachable!("handled above"),
                        }
                    }
                }
            }
            Expr::Call(f, args) => eval_call(*f, args, lookup),
        }
    }
}

fn eval_call(f: Func, args: &[Expr], lookup: &dyn Fn(&str) -> Option<f64>) -> Value {
    use Value::*;
    if f == Func::Present {
        return match &args[0] {
            Expr::Var(v) => Bool(lookup(v).is_some()),
            _ => Missing,
        };
    }
    let vals: Vec<Value> = args.iter().map(|a| a.eval(lookup)).collect();
    if f == Func::Coalesce {
        return match vals[0] {
            Missing => vals[1],
            v => v,
        };
    }
    let mut nums = Vec::with_capacity(vals.len());
    for v in vals {
        match v {
            Num(n) => nums.push(n),
            _ => return Missing,
        }
    }
    match f {
        Func::Sum => Num(nums.iter().sum()),
        Func::Min => Num(nums.iter().copied().fold(f64::INFINITY, f64::min)),
        Func::Max => Num(nums.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
        Func::Abs => Num(nums[0].abs()),
        Func::Round => {
            let digits = nums[1].clamp(0.0, 6.0) as i32;
            let m = 10f64.powi(digits);
            Num((nums[0] * m).round() / m)
        }
        Func::Pct if nums[1].abs() < EPS => Missing,
        Func::Pct => Num(nums[0] / nums[1] * 100.0),
        Func::RoundEq => {
            let stated = nums[0];
            let digits = (0..=3).find(|d| {
                let m = 10f64.powi(*d);
                ((stated * m) - (stated * m).round()).abs() < 1e-6
            });
            let m = 10f64.powi(digits.unwrap_or(3));
            Bool(((nums[1] * m).round() / m - stated).abs() < 1e-6)
        }
        Func::Present | Func::Coalesce => unreachable!("handled above"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ev(src: &str, vars: &[(&str, f64)]) -> Value {
        let e = Expr::parse(src).unwrap();
        e.eval(&|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| *v))
    }

    #[test]
    fn arithmetic_and_comparison() {
        assert_eq!(ev("a + b * 2", &[("a", 1.0), ("b", 3.0)]), Value::Num(7.0));
        assert_eq!(
            ev("(a + b) * 2", &[("a", 1.0), ("b", 3.0)]),
            Value::Num(8.0)
        );
        assert_eq!(
            ev(
                "cap_uy + chinh_quyen + bcd == tong",
                &[
                    ("cap_uy", 20.0),
                    ("chinh_quyen", 5.0),
                    ("bcd", 16.0),
                    ("tong", 41.0)
                ]
            ),
            Value::Bool(true)
        );
        assert_eq!(
            ev(
                "da_giai_quyet <= tiep_nhan",
                &[("da_giai_quyet", 139.0), ("tiep_nhan", 138.0)]
            ),
            Value::Bool(false)
        );
        assert_eq!(
            ev("-a < 0 and not (a > 5)", &[("a", 2.0)]),
            Value::Bool(true)
        );
        assert_eq!(ev("a >= 1 || b", &[("a", 2.0)]), Value::Bool(true));
    }

    #[test]
    fn missing_values_skip_the_rule() {
        assert_eq!(ev("a + b == c", &[("a", 1.0)]), Value::Missing);
        assert_eq!(ev("a / b", &[("a", 1.0), ("b", 0.0)]), Value::Missing);
        assert_eq!(ev("present(a)", &[]), Value::Bool(false));
        assert_eq!(ev("coalesce(a, 0) + 1", &[]), Value::Num(1.0));
        // false and missing is false: the rule has failed whatever the missing value is
        assert_eq!(ev("a > 1 and b > 1", &[("a", 0.0)]), Value::Bool(false));
    }

    #[test]
    fn stated_percentage_matches_fraction() {
        // 138/157 = 87,898… → 87,9 %, so 87,8 is wrong and 87,9 is right.
        let rule = "round_eq(p, pct(a, b))";
        assert_eq!(
            ev(rule, &[("a", 138.0), ("b", 157.0), ("p", 87.8)]),
            Value::Bool(false)
        );
        assert_eq!(
            ev(rule, &[("a", 138.0), ("b", 157.0), ("p", 87.9)]),
            Value::Bool(true)
        );
        assert_eq!(
            ev(rule, &[("a", 834.0), ("b", 885.0), ("p", 94.2)]),
            Value::Bool(true)
        );
        assert_eq!(
            ev(rule, &[("a", 113.0), ("b", 149.0), ("p", 75.84)]),
            Value::Bool(true)
        );
        assert_eq!(
            ev(rule, &[("a", 9.0), ("b", 9.0), ("p", 100.0)]),
            Value::Bool(true)
        );
        assert_eq!(
            ev(rule, &[("a", 10.0), ("b", 12.0), ("p", 83.33)]),
            Value::Bool(true)
        );
        assert_eq!(
            ev(rule, &[("a", 10.0), ("b", 12.0), ("p", 83.0)]),
            Value::Bool(true)
        );
        assert_eq!(
            ev(rule, &[("a", 10.0), ("b", 12.0), ("p", 84.0)]),
            Value::Bool(false)
        );
    }

    #[test]
    fn reports_parse_errors() {
        for src in [
            "",
            "a +",
            "(a",
            "a b",
            "foo(a)",
            "round(a)",
            "a $ b",
            "and",
            "present(1)",
            "1..2",
        ] {
            let e = Expr::parse(src).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidExpression, "{src}");
        }
        let deep = "(".repeat(500) + "a" + &")".repeat(500);
        assert!(Expr::parse(&deep).is_err());
        let negs = "-".repeat(500) + "a";
        assert!(Expr::parse(&negs).is_err());
    }

    #[test]
    fn lists_variables() {
        let e = Expr::parse("sum(x, y) <= z and present(w)").unwrap();
        assert_eq!(
            e.variables().into_iter().collect::<Vec<_>>(),
            ["w", "x", "y", "z"]
        );
    }

    proptest! {
        #[test]
        fn parse_and_eval_never_panic(src in "[a-c0-9+\\-*/<>=!()&|, .]{0,60}|\\PC{0,30}") {
            if let Ok(e) = Expr::parse(&src) {
                let _ = e.eval(&|_| Some(1.0));
                let _ = e.eval(&|_| None);
                let _ = e.eval(&|_| Some(0.0));
            }
        }

        #[test]
        fn sum_rule_matches_integer_arithmetic(a in 0i64..1_000_000, b in 0i64..1_000_000, c in 0i64..2_000_000) {
            let v = ev("a + b == c", &[("a", a as f64), ("b", b as f64), ("c", c as f64)]);
            prop_assert_eq!(v, Value::Bool(a + b == c));
        }
    }
}
