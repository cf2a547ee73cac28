//! Values as SQLite stores them, and multi-row `INSERT`s built as `sqlx::QueryBuilder` builds them.

use super::LiteQuery;
use rusqlite::types::Value;
use std::borrow::Cow;

/// A value as SQLite stores it.
pub(crate) trait ToLite {
    fn to_lite(self) -> Value;
}

impl ToLite for i64 {
    fn to_lite(self) -> Value {
        Value::Integer(self)
    }
}

impl ToLite for i32 {
    fn to_lite(self) -> Value {
        Value::Integer(i64::from(self))
    }
}

impl ToLite for bool {
    fn to_lite(self) -> Value {
        Value::Integer(i64::from(self))
    }
}

impl ToLite for f64 {
    fn to_lite(self) -> Value {
        Value::Real(self)
    }
}

impl ToLite for String {
    fn to_lite(self) -> Value {
        Value::Text(self)
    }
}

impl ToLite for &str {
    fn to_lite(self) -> Value {
        Value::Text(self.to_owned())
    }
}

impl<T: ToLite + Clone> ToLite for &T {
    fn to_lite(self) -> Value {
        self.clone().to_lite()
    }
}

impl<T: ToLite> ToLite for Option<T> {
    fn to_lite(self) -> Value {
        self.map_or(Value::Null, ToLite::to_lite)
    }
}

/// `INSERT … VALUES (…), (…)` built row by row, as `sqlx::QueryBuilder` builds it.
pub(crate) struct LiteBuilder {
    sql: String,
    args: Vec<Value>,
}

/// One `(…)` tuple of a [`LiteBuilder`]'s `VALUES`.
pub(crate) struct LiteTuple<'a> {
    builder: &'a mut LiteBuilder,
    first: bool,
}

impl LiteTuple<'_> {
    pub(crate) fn push_bind(&mut self, value: impl ToLite) -> &mut Self {
        if !self.first {
            self.builder.sql.push_str(", ");
        }
        self.first = false;
        self.builder.args.push(value.to_lite());
        self.builder.sql.push('?');
        self
    }
}

impl LiteBuilder {
    pub(crate) fn new(sql: &str) -> Self {
        LiteBuilder {
            sql: sql.to_owned(),
            args: Vec::new(),
        }
    }

    pub(crate) fn push_values<I: IntoIterator>(
        &mut self,
        tuples: I,
        mut push_tuple: impl FnMut(LiteTuple<'_>, I::Item),
    ) {
        self.sql.push_str("VALUES ");
        for (i, item) in tuples.into_iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.sql.push('(');
            push_tuple(
                LiteTuple {
                    builder: self,
                    first: true,
                },
                item,
            );
            self.sql.push(')');
        }
    }

    pub(crate) fn push(&mut self, sql: &str) {
        self.sql.push_str(sql);
    }

    pub(crate) fn build(&mut self) -> LiteQuery {
        LiteQuery {
            sql: Cow::Owned(std::mem::take(&mut self.sql)),
            args: std::mem::take(&mut self.args),
        }
    }
}
