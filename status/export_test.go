package status

// CachedForTest reports how many lists and bytes c caches.
func CachedForTest(c *Checker) (lists int, bytes int64) { return c.cached() }
