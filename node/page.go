package node

// listPage reads a page of at most limit items with list, asking it for one
// more than limit to learn whether more follow, and returns the page (never
// nil: an empty page is an empty JSON list) with the cursor of the next page:
// cursor of the page's last item, or the zero C when no more follow.
func listPage[T, C any](list func(limit int) ([]T, error), limit int, cursor func(T) C) ([]T, C, error) {
	var next C
	items, err := list(limit + 1)
	if err != nil {
		return nil, next, err
	}
	if len(items) > limit {
		return items[:limit], cursor(items[limit-1]), nil
	}
	if items == nil {
		items = []T{}
	}
	return items, next, nil
}
