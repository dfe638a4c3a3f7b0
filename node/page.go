package node

// page cuts list, read with a limit of limit+1, to a page of at most limit
// items (never nil: an empty page is an empty JSON list) and returns its
// last item if more follow, the cursor of the next page.
func page[T any](list []T, limit int) ([]T, *T) {
	if len(list) > limit {
		return list[:limit], &list[limit-1]
	}
	if list == nil {
		list = []T{}
	}
	return list, nil
}
