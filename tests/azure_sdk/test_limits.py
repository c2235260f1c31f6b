"""ARM's request limits at speed 1: the read bucket holds 250 tokens refilled at 25 a second, so
a burst of reads ends in 429 with Retry-After, and the remaining count goes down on the way."""

from common import SUBSCRIPTION, raw, token

bearer = {"Authorization": f"Bearer {token()}"}
remaining = []
for _ in range(600):
    status, headers, body = raw("GET", f"/subscriptions/{SUBSCRIPTION}/resourcegroups?api-version=2021-04-01", authorize=False, headers=bearer)
    if status == 429:
        assert body["error"]["code"] == "SubscriptionRequestsThrottled", body
        assert int(headers["retry-after"]) >= 1, headers
        break
    remaining.append(int(headers["x-ms-ratelimit-remaining-subscription-reads"]))
else:
    raise AssertionError("600 reads at once were never throttled")
assert remaining[0] == 249, remaining[:3]
assert 250 <= len(remaining) < 600, len(remaining)
assert remaining[-1] == 0 or min(remaining) <= 1, remaining[-5:]
print("ok limits")
