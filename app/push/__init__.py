"""Web Push alerts: VAPID keys, subscriptions, the alert outbox and the sender."""
