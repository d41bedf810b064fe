"""``newsweave serve``: the web UI and the HTTP API over a store (extra ``newsweave[web]``)."""
