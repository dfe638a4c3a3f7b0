package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
)

// rawClient is a minimal HTTP/1.1 keep-alive client, in the spirit of wrk:
// one connection, requests written from pre-built bytes, responses read by
// Content-Length. net/http's client costs about as much CPU per request as
// the node's whole handling of a DID creation, which on two shared cores
// would measure the load generator rather than the node.
type rawClient struct {
	conn net.Conn
	r    *bufio.Reader
	buf  []byte
}

func dialRaw(addr string) (*rawClient, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &rawClient{conn: c, r: bufio.NewReaderSize(c, 16<<10)}, nil
}

// post sends a POST with a JSON body and returns the status code.
func (c *rawClient) post(host, path string, body []byte) (int, error) {
	c.buf = c.buf[:0]
	c.buf = fmt.Appendf(c.buf, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", path, host, len(body))
	c.buf = append(c.buf, body...)
	if _, err := c.conn.Write(c.buf); err != nil {
		return 0, err
	}
	return c.readResponse()
}

// get sends a GET and returns the status code.
func (c *rawClient) get(host, path string) (int, error) {
	c.buf = c.buf[:0]
	c.buf = fmt.Appendf(c.buf, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, host)
	if _, err := c.conn.Write(c.buf); err != nil {
		return 0, err
	}
	return c.readResponse()
}

func (c *rawClient) readResponse() (int, error) {
	tp := textproto.NewReader(c.r)
	line, err := tp.ReadLine()
	if err != nil {
		return 0, err
	}
	f := strings.SplitN(line, " ", 3)
	if len(f) < 2 {
		return 0, fmt.Errorf("bad status line %q", line)
	}
	code, _ := strconv.Atoi(f[1])
	n := -1
	for {
		l, err := c.r.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		l = bytes.TrimRight(l, "\r\n")
		if len(l) == 0 {
			break
		}
		if k, v, ok := bytes.Cut(l, []byte(":")); ok && bytes.EqualFold(k, []byte("Content-Length")) {
			n, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
		}
	}
	if n < 0 {
		return 0, fmt.Errorf("response without Content-Length")
	}
	_, err = io.CopyN(io.Discard, c.r, int64(n))
	return code, err
}

func (c *rawClient) close() { c.conn.Close() }
