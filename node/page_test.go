package node

import (
	"errors"
	"slices"
	"strconv"
	"testing"
)

func TestListPage_CutsToLimitAndNamesTheCursor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		list  []int
		limit int
		want  []int
		next  string // "": no next page
	}{
		{"nothing", nil, 2, []int{}, ""},
		{"short", []int{1}, 2, []int{1}, ""},
		{"exactly full", []int{1, 2}, 2, []int{1, 2}, ""},
		{"more follow", []int{1, 2, 3}, 2, []int{1, 2}, "2"},
	} {
		var asked int
		got, next, err := listPage(func(limit int) ([]int, error) { asked = limit; return tc.list, nil }, tc.limit, strconv.Itoa)
		if err != nil || !slices.Equal(got, tc.want) || got == nil {
			t.Errorf("%s: page %v (%v), want %v", tc.name, got, err, tc.want)
		}
		if next != tc.next {
			t.Errorf("%s: cursor %q, want %q", tc.name, next, tc.next)
		}
		if asked != tc.limit+1 {
			t.Errorf("%s: asked for %d items, want %d", tc.name, asked, tc.limit+1)
		}
	}
	failed := errors.New("disk")
	if got, next, err := listPage(func(int) ([]int, error) { return nil, failed }, 2, strconv.Itoa); err != failed || got != nil || next != "" {
		t.Errorf("a failed list: %v %q %v", got, next, err)
	}
}
