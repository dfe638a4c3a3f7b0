package node

import (
	"slices"
	"testing"
)

func TestPage_CutsToLimitAndNamesTheCursor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		list  []int
		limit int
		want  []int
		next  int // 0: no next page
	}{
		{"nothing", nil, 2, []int{}, 0},
		{"short", []int{1}, 2, []int{1}, 0},
		{"exactly full", []int{1, 2}, 2, []int{1, 2}, 0},
		{"more follow", []int{1, 2, 3}, 2, []int{1, 2}, 2},
	} {
		got, last := page(tc.list, tc.limit)
		if !slices.Equal(got, tc.want) || got == nil {
			t.Errorf("%s: page %v, want %v", tc.name, got, tc.want)
		}
		if (last == nil) != (tc.next == 0) || last != nil && *last != tc.next {
			t.Errorf("%s: cursor %v, want %d", tc.name, last, tc.next)
		}
	}
}
