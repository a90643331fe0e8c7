"""The edge to WeChat: the webhook (in) and the API client (out)."""
