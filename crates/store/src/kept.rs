//! What the capabilities keep for the life of the application (their page caches, the store's
//! kept evaluations), one value of each type, made on first use. The core does not know the
//! capabilities' types, so each keeps its own under its own type: `s.kept.get::<RosterPages>()`.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// One value of each type asked for, made with `Default` the first time.
#[derive(Default)]
pub struct Kept(RwLock<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>);

impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kept")
    }
}

impl Kept {
    /// The value of type `T`, made now if this is the first time it is asked for.
    pub fn get<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let id = TypeId::of::<T>();
        let found = self.0.read().unwrap_or_else(|e| e.into_inner()).get(&id).cloned();
        let any = match found {
            Some(v) => v,
            None => {
                let mut all = self.0.write().unwrap_or_else(|e| e.into_inner());
                all.entry(id).or_insert_with(|| Arc::new(T::default())).clone()
            }
        };
        // the map holds under each type's id a value of that type
        any.downcast::<T>().unwrap_or_else(|_| unreachable!("a kept value under another type's id"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Counter(std::sync::atomic::AtomicUsize);

    #[test]
    fn one_value_per_type_made_once() {
        let k = Kept::default();
        k.get::<Counter>().0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        k.get::<Counter>().0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        assert_eq!(k.get::<Counter>().0.load(std::sync::atomic::Ordering::Relaxed), 2);
        assert!(k.get::<String>().is_empty());
    }
}
