//! How [`Store`](crate::Store) is declared: each operation once, as its signature and the
//! script it runs, from which the trait method and its implementation for every
//! [`Backend`](crate::Backend) both follow. A new operation costs one declaration in
//! `lib.rs` and one script in its area's module.
//!
//! A declaration reads
//!
//! ```text
//! /// What it does (the trait method's doc).
//! #[traced(order.no = %ord_no)]            // optional: the span's fields
//! write cancel(ord_no: &OrderNo, command: &CancelCommand, now: KstDateTime) -> Claim
//!     = orders::cancel(&ord_no, &command, now, None);
//! ```
//!
//! `read` runs the script on a connection, `write` in one write transaction; the script is
//! called with the connection first, then the arguments as written, each an owned copy of
//! what the caller passed (a script outlives the call: SQLite's runs on a blocking thread).
//! `backend` operations pass straight through to the backend's own method of the same name
//! (the inquiry, read from the driver's buffers).

/// An argument as a script takes it with it: owned, sendable and `'static`.
pub trait Own {
    type Owned: Send + 'static;
    fn own(self) -> Self::Owned;
}

impl<T: ?Sized + ToOwned> Own for &T
where
    T::Owned: Send + 'static,
{
    type Owned = T::Owned;
    fn own(self) -> T::Owned {
        self.to_owned()
    }
}

/// What the write completes is moved in as it is (it is used once).
impl<T: 'static> Own for crate::Completion<T> {
    type Owned = Self;
    fn own(self) -> Self {
        self
    }
}

impl<T: Clone + Send + 'static> Own for Option<&T> {
    type Owned = Option<T>;
    fn own(self) -> Option<T> {
        self.cloned()
    }
}

/// Declares the `Store` trait and its implementation for every backend; see the module.
macro_rules! store {
    (
        $(#[$trait_attr:meta])*
        trait { $($trait_items:tt)* }
        impl { $($impl_items:tt)* }
        backend {
            $(
                $(#[doc = $bdoc:literal])*
                fn $bname:ident ( $($barg:ident : $bty:ty),* $(,)? ) -> $bret:ty;
            )*
        }
        scripts {
            $(
                $(#[doc = $doc:literal])*
                $(#[traced($($field:tt)*)])?
                $kind:ident $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ret:ty
                    = $($script:ident)::+ ( $($call:expr),* $(,)? );
            )*
        }
    ) => {
        $(#[$trait_attr])*
        #[async_trait]
        pub trait Store: Send + Sync + fmt::Debug + 'static {
            $($trait_items)*
            $(
                $(#[doc = $bdoc])*
                async fn $bname(&self, $($barg: $bty),*) -> Result<$bret, StoreError>;
            )*
            $(
                $(#[doc = $doc])*
                async fn $name(&self, $($arg: $ty),*) -> Result<$ret, StoreError>;
            )*
        }

        /// Every backend is a store: each script runs on its connections, and what it does
        /// its own way (the inquiry, readiness, pools, closing) is passed through.
        #[async_trait]
        impl<B: Backend> Store for B {
            $($impl_items)*
            $(
                async fn $bname(&self, $($barg: $bty),*) -> Result<$bret, StoreError> {
                    Backend::$bname(self, $($barg),*).await
                }
            )*
            $(
                $(#[tracing::instrument(skip_all, fields($($field)*))])?
                async fn $name(&self, $($arg: $ty),*) -> Result<$ret, StoreError> {
                    #[allow(unused_imports)]
                    use $crate::declare::Own as _;
                    $(let $arg = $arg.own();)*
                    self.$kind(script(move |sql| {
                        Box::pin(async move { $($script)::+(sql, $($call),*).await })
                    }))
                    .await
                }
            )*
        }
    };
}

pub(crate) use store;
