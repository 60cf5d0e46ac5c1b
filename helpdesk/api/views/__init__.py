"""The core's endpoints: customers, the policy, reports, webhooks."""
