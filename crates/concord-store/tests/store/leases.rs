//! Named leases: one holder across separate stores, renewal, release, takeover after expiry.

use crate::support::{at, TestDb};
use std::time::Duration;

const TTL: Duration = Duration::from_secs(60);

pub async fn a_lease_has_one_holder_until_it_expires(db: &TestDb) {
    let other_process = db.second_store(db.store.clock().clone()).await;
    assert!(db.store.lease_acquire("order:7", "a", TTL).await.unwrap());
    assert!(!other_process
        .lease_acquire("order:7", "b", TTL)
        .await
        .unwrap());
    // The holder renews its own lease; other names are free.
    assert!(db.store.lease_acquire("order:7", "a", TTL).await.unwrap());
    assert!(other_process
        .lease_acquire("order:8", "b", TTL)
        .await
        .unwrap());
    // A dead holder never releases: once its lease has run out, another takes over.
    let later = at(&other_process, 3600.0);
    assert!(later.lease_acquire("order:7", "b", TTL).await.unwrap());
    assert!(!at(&db.store, 3601.0)
        .lease_acquire("order:7", "a", TTL)
        .await
        .unwrap());
}

pub async fn a_released_lease_is_free_and_only_its_holder_releases_it(db: &TestDb) {
    assert!(db.store.lease_acquire("order:9", "a", TTL).await.unwrap());
    db.store.lease_release("order:9", "b").await.unwrap();
    assert!(!db.store.lease_acquire("order:9", "b", TTL).await.unwrap());
    db.store.lease_release("order:9", "a").await.unwrap();
    assert!(db.store.lease_acquire("order:9", "b", TTL).await.unwrap());
}

pub async fn concurrent_takers_get_one_lease(db: &TestDb) {
    let second = db.second_store(db.store.clock().clone()).await;
    let stores = [db.store.clone(), second];
    let attempts = (0..16).map(|i| {
        let store = stores[i % 2].clone();
        tokio::spawn(async move {
            store
                .lease_acquire("order:10", &format!("taker-{i}"), TTL)
                .await
                .unwrap()
        })
    });
    let mut winners = 0;
    for attempt in attempts {
        winners += usize::from(attempt.await.unwrap());
    }
    assert_eq!(winners, 1);
}
