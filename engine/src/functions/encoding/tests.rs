//! Tests of the encoding functions against results of Terraform 1.0.3.

use crate::functions::test_support::call_fn;
use crate::functions::FnError;
use crate::number::Number;
use crate::value::{Type, Value};
use std::collections::BTreeMap;

fn s(v: &str) -> Value {
    Value::string(v)
}
fn n(text: &str) -> Value {
    Value::number(Number::parse(text).unwrap())
}
fn obj(items: &[(&str, Value)]) -> Value {
    Value::object(
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}
fn tup(items: &[Value]) -> Value {
    Value::tuple(items.to_vec())
}
fn null() -> Value {
    Value::Null(Type::Dynamic)
}
fn call1(name: &str, arg: &str) -> Result<Value, FnError> {
    call_fn(name, vec![s(arg)])
}
fn err_text(name: &str, arg: &str) -> String {
    call1(name, arg).unwrap_err().message
}

#[test]
fn base64() {
    assert_eq!(
        call1("base64encode", "Hello World"),
        Ok(s("SGVsbG8gV29ybGQ="))
    );
    assert_eq!(
        call1("base64decode", "SGVsbG8gV29ybGQ="),
        Ok(s("Hello World"))
    );
    assert_eq!(call1("base64decode", "QR=="), Ok(s("A")));
    assert_eq!(call1("base64decode", "SGVs\nbG8="), Ok(s("Hello")));
    assert_eq!(
        err_text("base64decode", "QQ"),
        "failed to decode base64 data 'QQ'"
    );
    assert_eq!(
        err_text("base64decode", "/w=="),
        "the result of decoding the provided string is not valid UTF-8"
    );
}

#[test]
fn base64gzip_frames_like_go() {
    assert_eq!(
        call1("base64gzip", ""),
        Ok(s("H4sIAAAAAAAA/wAAAP//AQAA//8AAAAAAAAAAA=="))
    );
    let out = call1("base64gzip", "hello world").unwrap();
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(out.as_str().unwrap())
        .unwrap();
    let mut text = String::new();
    use std::io::Read as _;
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, "hello world");
    assert_eq!(&bytes[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
}

#[test]
fn urlencode() {
    assert_eq!(
        call1("urlencode", "a b&c=d/é~*-_.!"),
        Ok(s("a+b%26c%3Dd%2F%C3%A9~%2A-_.%21"))
    );
}

#[test]
fn text_encodings() {
    let enc = |t: &str, e: &str| call_fn("textencodebase64", vec![s(t), s(e)]);
    let dec = |t: &str, e: &str| call_fn("textdecodebase64", vec![s(t), s(e)]);
    assert_eq!(
        enc("Hello World", "UTF-16LE"),
        Ok(s("SABlAGwAbABvACAAVwBvAHIAbABkAA=="))
    );
    assert_eq!(enc("A€", "UTF-16"), Ok(s("/v8AQSCs")));
    assert_eq!(enc("é", "latin1"), Ok(s("6Q==")));
    assert_eq!(enc("€", "windows-1252"), Ok(s("gA==")));
    assert_eq!(
        enc("é€", "ISO-8859-1"),
        Err(FnError::arg(
            0,
            "the given string contains characters that cannot be represented in ISO_8859-1:1987"
        ))
    );
    assert_eq!(
        enc("x", "utf8"),
        Err(FnError::arg(
            1,
            "\"utf8\" is not a supported IANA encoding name or alias in this Terraform version"
        ))
    );
    assert_eq!(
        dec("SABlAGwAbABvACAAVwBvAHIAbABkAA==", "UTF-16LE"),
        Ok(s("Hello World"))
    );
    assert_eq!(dec("gA==", "ISO-8859-1"), Ok(s("\u{80}")));
    assert_eq!(
        dec("/w==", "UTF-8"),
        Err(FnError::arg(
            0,
            "the given string contains symbols that are not defined for UTF-8"
        ))
    );
    assert_eq!(
        dec("!", "UTF-8"),
        Err(FnError::arg(
            0,
            "the given value is has an invalid base64 symbol at offset 0"
        ))
    );
}

#[test]
fn csvdecode() {
    let row = |a: &str, b: &str| obj(&[("a", s(a)), ("b", s(b))]);
    let ty = Type::object(BTreeMap::from([
        ("a".into(), Type::String),
        ("b".into(), Type::String),
    ]));
    assert_eq!(
        call1("csvdecode", "a,b\n1,2\n\n3,4\r\n"),
        Ok(Value::list(ty.clone(), vec![row("1", "2"), row("3", "4")]))
    );
    assert_eq!(
        call1("csvdecode", "a,b\n\"multi\r\nline\",2"),
        Ok(Value::list(ty.clone(), vec![row("multi\nline", "2")]))
    );
    assert_eq!(
        call1("csvdecode", "a,b\n\"q\"\"x\",\"\""),
        Ok(Value::list(ty.clone(), vec![row("q\"x", "")]))
    );
    assert_eq!(call1("csvdecode", "a,b"), Ok(Value::list(ty, vec![])));
    assert_eq!(
        call1("csvdecode", " a ,b\n 1 , 2 "),
        Ok(Value::list(
            Type::object(BTreeMap::from([
                (" a ".into(), Type::String),
                ("b".into(), Type::String)
            ])),
            vec![obj(&[(" a ", s(" 1 ")), ("b", s(" 2 "))])]
        ))
    );
    assert_eq!(
        err_text("csvdecode", "a,b\n1,\"x\"y\"\n"),
        "CSV parse error on line 2: extraneous or missing \" in quoted-field"
    );
    assert_eq!(
        err_text("csvdecode", "a,b\n1,x\"y\n"),
        "CSV parse error on line 2: bare \" in non-quoted-field"
    );
    assert_eq!(
        err_text("csvdecode", "a,b\n1\n"),
        "CSV parse error on line 2: wrong number of fields"
    );
    assert_eq!(err_text("csvdecode", ""), "missing header line");
    assert_eq!(
        err_text("csvdecode", "a,a\n1,2"),
        "duplicate column name \"a\""
    );
}

#[test]
fn jsonencode() {
    let enc = |v: Value| call_fn("jsonencode", vec![v]);
    assert_eq!(
        enc(s("<>&\u{8}\u{c}\u{2028} é \u{1}")),
        Ok(s(
            "\"\\u003c\\u003e\\u0026\\u0008\\u000c\\u2028 é \\u0001\""
        ))
    );
    let v = obj(&[
        ("b", tup(&[Value::int(1), Value::int(2)])),
        ("a", Value::set(Type::String, vec![s("y"), s("x")])),
        ("c", obj(&[("z", null())])),
    ]);
    assert_eq!(
        enc(v),
        Ok(s("{\"a\":[\"x\",\"y\"],\"b\":[1,2],\"c\":{\"z\":null}}"))
    );
    assert_eq!(enc(null()), Ok(s("null")));
    assert_eq!(
        enc(n("1e400")).map(|v| v.as_str().map(str::len)),
        Ok(Some(401))
    );
    assert_eq!(
        enc(tup(&[Value::Unknown(Type::String)])),
        Ok(Value::Unknown(Type::String))
    );
    assert_eq!(enc(s("x").mark()), Ok(s("\"x\"").mark()));
}

#[test]
fn jsondecode_values() {
    assert_eq!(
        call1("jsondecode", "{\"b\":null,\"a\":[1,\"x\",true]}"),
        Ok(obj(&[
            ("a", tup(&[Value::int(1), s("x"), Value::Bool(true)])),
            ("b", null())
        ]))
    );
    assert_eq!(call1("jsondecode", "1 ]"), Ok(Value::int(1)));
    assert_eq!(
        call1("jsondecode", "{\"a\":1,\"a\":2}"),
        Ok(obj(&[("a", Value::int(2))]))
    );
    assert_eq!(call1("jsondecode", "null"), Ok(null()));
    assert_eq!(call1("jsondecode", " [] "), Ok(tup(&[])));
    assert_eq!(
        call1("jsondecode", "\"\\ud83d\\ude00\\ud800x\\u00e9\""),
        Ok(s("😀\u{fffd}xé"))
    );
    assert_eq!(call1("jsondecode", "1.5e400"), Ok(n("1.5e400")));
    assert_eq!(call1("jsondecode", "-0.25"), Ok(n("-0.25")));
}

#[test]
fn jsondecode_errors() {
    let cases = [
        ("{", "EOF"),
        ("", "EOF"),
        ("1 2", "extraneous data after JSON object"),
        ("01", "extraneous data after JSON object"),
        (
            "[1,]",
            "invalid character ']' looking for beginning of value",
        ),
        ("{\"a\" 1}", "invalid character '1' after object key"),
        ("[1 2]", "invalid character '2' after array element"),
        (
            "{\"a\":1 \"b\"}",
            "invalid character '\"' after object key:value pair",
        ),
        (
            "{\"a\":1,}",
            "invalid character '}' looking for beginning of object key string",
        ),
        ("{1:2}", "invalid character '1'"),
        ("tru", "unexpected EOF"),
        (
            "trux",
            "invalid character 'x' in literal true (expecting 'e')",
        ),
        ("\"\\x\"", "invalid character 'x' in string escape code"),
        ("\"a\nb\"", "invalid character '\\n' in string literal"),
        ("-x", "invalid character 'x' in numeric literal"),
        (
            "1.x",
            "invalid character 'x' after decimal point in numeric literal",
        ),
        ("x", "invalid character 'x' looking for beginning of value"),
    ];
    for (input, message) in cases {
        assert_eq!(err_text("jsondecode", input), message, "{input:?}");
    }
}

#[test]
fn yamldecode_scalars() {
    let yd = |src: &str| call1("yamldecode", src);
    assert_eq!(
        yd("- Yes\n- ON\n- n\n- ~\n- Null\n- \"\"\n- !!null x\n- !!bool yes\n- <<"),
        Ok(tup(&[
            Value::Bool(true),
            Value::Bool(true),
            Value::Bool(false),
            null(),
            null(),
            s(""),
            null(),
            Value::Bool(true),
            s("<<"),
        ]))
    );
    assert_eq!(
        yd("- .5\n- 5.\n- +5\n- -.5e3\n- 0b101\n- !!int 0b101\n- !!int 0xFFFFFFFFFFFFFFFF\n- !!float 1\n- \"1\"\n- !!int \"12\"\n- 0o17\n- -0x1F\n- 1_0.5\n- !!str\n- \"a\\tb\"\n- 1_000\n- 017"),
        Ok(tup(&[
            n("0.5"),
            n("5"),
            n("5"),
            n("-500"),
            s("0b101"),
            n("5"),
            n("18446744073709551615"),
            n("1"),
            s("1"),
            s("12"),
            n("15"),
            n("-31"),
            s("1_0.5"),
            s(""),
            s("a\tb"),
            n("1000"),
            n("17"),
        ]))
    );
    assert_eq!(
        yd("- 2001-12-14t21:59:43.10-05:00\n- 2001-12-14 21:59:43.10\n- 2001-12-14 21:59:43.10 -5\n- 2001-2-3\n- 2001-02-30\n- \"2001-12-14\"\n- !!timestamp 2001-12-14\n- !!str 2001-12-14\n- !!timestamp 2001-12-14T21:59:43+00:00"),
        Ok(tup(&[
            s("2001-12-14T21:59:43-05:00"),
            s("2001-12-14T21:59:43Z"),
            s("2001-12-14 21:59:43.10 -5"),
            s("2001-02-03T00:00:00Z"),
            s("2001-02-30"),
            s("2001-12-14"),
            s("2001-12-14T00:00:00Z"),
            s("2001-12-14"),
            s("2001-12-14T21:59:43Z"),
        ]))
    );
    assert_eq!(
        yd("- 1e5\n- 123456789012345678901234567890\n- 0.1\n- 00\n- 09"),
        Ok(tup(&[
            n("100000"),
            n("123456789012345678901234567890"),
            n("0.1"),
            n("0"),
            n("9")
        ]))
    );
    let inf = yd("a: .inf").unwrap();
    assert!(inf.as_mapping().unwrap()["a"]
        .as_number()
        .unwrap()
        .is_infinite());
    assert_eq!(yd("a: !!binary aGVsbG8="), Ok(obj(&[("a", s("aGVsbG8="))])));
}

#[test]
fn yamldecode_structures() {
    let yd = |src: &str| call1("yamldecode", src);
    assert_eq!(
        yd("a: &x {b: 1}\nc:\n  <<: *x\n  d: 2"),
        Ok(obj(&[
            ("a", obj(&[("b", n("1"))])),
            ("c", obj(&[("b", n("1")), ("d", n("2"))]))
        ]))
    );
    assert_eq!(
        yd("a:\n  <<: {x: 1}\n  x: 2\n  <<: {x: 3}"),
        Ok(obj(&[("a", obj(&[("x", n("3"))]))]))
    );
    assert_eq!(yd("\"<<\": {a: 1}"), Ok(obj(&[("a", n("1"))])));
    assert_eq!(
        yd("1: 1\ntrue: 2\n1.5: 3"),
        Ok(obj(&[("1", n("1")), ("1.5", n("3")), ("true", n("2"))]))
    );
    assert_eq!(
        yd("a: |\n  line1\n  line2\nb: >\n  folded\n  text\n"),
        Ok(obj(&[
            ("a", s("line1\nline2\n")),
            ("b", s("folded text\n"))
        ]))
    );
    assert_eq!(
        yd("{a: 1, b: [x, y]}"),
        Ok(obj(&[
            ("a", n("1")),
            ("b", tup(&[s("x"), Value::Bool(true)]))
        ]))
    );
    assert_eq!(yd("-"), Ok(tup(&[null()])));
    assert_eq!(yd("a:"), Ok(obj(&[("a", null())])));
    assert_eq!(yd("- &a 1\n- *a"), Ok(tup(&[n("1"), n("1")])));
    assert_eq!(yd("a: 1\n...\n"), Ok(obj(&[("a", n("1"))])));
    assert_eq!(yd("!!map {a: 1}"), Ok(obj(&[("a", n("1"))])));
    assert_eq!(yd("a: 1\na: 2"), Ok(obj(&[("a", n("2"))])));
    assert_eq!(yd("a: |-\n  true"), Ok(obj(&[("a", s("true"))])));
    assert_eq!(yd(""), Ok(null()));
    assert_eq!(yd("~"), Ok(null()));
}

#[test]
fn yamldecode_errors() {
    let cases = [
        (
            "a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]",
            "on line 3, column 3: cannot merge tuple into mapping",
        ),
        (
            "a: !!map\n  <<: 5",
            "on line 1, column 3: cannot merge number into mapping",
        ),
        ("a: !!foo x", "unsupported tag \"tag:yaml.org,2002:foo\""),
        ("a: ! x", "unsupported tag \"!\""),
        ("a: !foo x", "unsupported tag \"!foo\""),
        (
            "a: &x [*x]",
            "cannot refer to anchor \"x\" from inside its own definition",
        ),
        ("a: *y", "reference to undefined anchor \"y\""),
        (
            "a: !!binary \"!!\"",
            "cannot parse \"!!\" as tag:yaml.org,2002:binary: not valid base64",
        ),
        ("? [a]\n: 1", "only strings are allowed as mapping keys"),
        ("null: 1", "mapping key cannot be null"),
        (
            "- !!int 1\n- !!int abc",
            "on line 1, column 3: cannot parse \"abc\" as tag:yaml.org,2002:int",
        ),
        (
            "- -\n- +\n",
            "on line 1, column 3: cannot parse \"+\" as tag:yaml.org,2002:int",
        ),
        ("- .nan", "floating point NaN is not supported"),
        (
            "- !!float .nan",
            "cannot parse \".nan\" as tag:yaml.org,2002:float",
        ),
        (
            "!!seq {a: 1}",
            "can't interpret mapping as tag:yaml.org,2002:seq",
        ),
        (
            "---\na: 1\n---\nb: 2",
            "on line 2, column 1: unexpected extra content after value",
        ),
    ];
    for (input, message) in cases {
        assert_eq!(err_text("yamldecode", input), message, "{input:?}");
    }
}

#[test]
fn yamlencode() {
    let ye = |v: Value| {
        call_fn("yamlencode", vec![v])
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(ye(Value::int(1)), "1\n...\n");
    assert_eq!(ye(null()), "null\n...\n");
    assert_eq!(ye(Value::Bool(true)), "true\n...\n");
    assert_eq!(ye(n("-1.5")), "-1.5\n...\n");
    assert_eq!(ye(s("a")), "\"a\"\n");
    assert_eq!(ye(s("a\n")), "|\n  a\n");
    assert_eq!(ye(s("a\n\n")), "|+\n  a\n\n");
    assert_eq!(ye(s("\n")), "|2+\n\n");
    assert_eq!(ye(s("")), "\"\"\n");
    assert_eq!(ye(tup(&[])), "[]\n");
    assert_eq!(ye(obj(&[])), "{}\n");
    let nested = obj(&[
        ("a", tup(&[])),
        ("b", obj(&[])),
        (
            "c",
            tup(&[
                tup(&[Value::int(1), tup(&[Value::int(2)])]),
                obj(&[("x", Value::int(1))]),
            ]),
        ),
        (
            "d",
            tup(&[obj(&[("p", Value::int(1)), ("q", tup(&[Value::int(3)]))])]),
        ),
    ]);
    assert_eq!(
        ye(nested),
        "\"a\": []\n\"b\": {}\n\"c\":\n- - 1\n  - - 2\n- \"x\": 1\n\"d\":\n- \"p\": 1\n  \"q\":\n  - 3\n"
    );
    let long_key = "k".repeat(130);
    assert_eq!(
        ye(obj(&[
            ("multi\nkey", Value::int(1)),
            (&long_key, Value::int(2))
        ])),
        format!("? \"{long_key}\"\n: 2\n? |-\n  multi\n  key\n: 1\n")
    );
    assert_eq!(
        ye(tup(&[
            s(" lead"),
            s("trail "),
            s("a\n b"),
            s("tab\there"),
            s("é ü \u{2028} \u{85} \u{a0} \u{feff}"),
            s("x\u{1}y"),
            s("quote\"back\\slash"),
        ])),
        "- \" lead\"\n- \"trail \"\n- |-\n  a\n   b\n- \"tab\\there\"\n- \"é ü \\L \\N \u{a0} \\uFEFF\"\n- \"x\\x01y\"\n- \"quote\\\"back\\\\slash\"\n"
    );
    assert_eq!(
        ye(tup(&[s("line1\n  indented\n"), s(" leading space\nx"), s("trailing \nspace"), s("crlf\r\nx")])),
        "- |\n  line1\n    indented\n- |2-\n   leading space\n  x\n- \"trailing \\nspace\"\n- \"crlf\\r\\nx\"\n"
    );
    assert_eq!(
        ye(obj(&[("k", s("a very long string that goes on and on and on and on and on and on and on and on and on past eighty columns  with  double  spaces and more more more more more more more more more more words"))])),
        "\"k\": \"a very long string that goes on and on and on and on and on and on and on and\n  on and on past eighty columns  with  double  spaces and more more more more more\n  more more more more more words\"\n"
    );
    let words = vec!["word"; 40].join(" ");
    assert_eq!(
        ye(tup(&[s(&words)])),
        "- \"word word word word word word word word word word word word word word word word\n  word word word word word word word word word word word word word word word word\n  word word word word word word word word\"\n"
    );
    assert_eq!(
        ye(Value::map(
            Type::String,
            BTreeMap::from([("z".into(), s("1")), ("a".into(), s("2"))])
        )),
        "\"a\": \"2\"\n\"z\": \"1\"\n"
    );
    assert_eq!(
        ye(obj(&[("a", obj(&[("b", obj(&[("c", s("d\ne"))]))]))])),
        "\"a\":\n  \"b\":\n    \"c\": |-\n      d\n      e\n"
    );
    assert_eq!(
        call_fn("yamlencode", vec![tup(&[Value::Unknown(Type::String)])]),
        Ok(Value::Unknown(Type::String))
    );
}

#[test]
fn deep_nesting_is_refused() {
    let deep_json = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    assert_eq!(err_text("jsondecode", &deep_json), "exceeded max depth");
    let deep_yaml = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let yaml_error = err_text("yamldecode", &deep_yaml);
    assert!(
        yaml_error.contains("limit exceeded") || yaml_error.contains("max depth"),
        "{yaml_error}"
    );
    let ok_json = format!("{}{}", "[".repeat(100), "]".repeat(100));
    assert!(call1("jsondecode", &ok_json).is_ok());
}
