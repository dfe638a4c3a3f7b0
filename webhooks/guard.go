package webhooks

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/weidgo/weid/errs"
)

// MaxURLLength bounds a receiver's URL.
const MaxURLLength = 2048

// Guard decides which receivers the node may call: any public address,
// and the hosts the operator allows (--webhook-allow-hosts), which may be
// internal.
type Guard struct {
	AllowHosts []string
}

func (g Guard) allowed(host string) bool {
	return slices.ContainsFunc(g.AllowHosts, func(h string) bool { return strings.EqualFold(h, host) })
}

// internal reports an address a subscription must not reach: loopback,
// private (RFC 1918, RFC 4193), link-local, unspecified, multicast,
// carrier-grade NAT (RFC 6598) and IPv4-mapped forms of them.
func internal(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() ||
		netip.MustParsePrefix("100.64.0.0/10").Contains(ip) || netip.MustParsePrefix("0.0.0.0/8").Contains(ip)
}

// CheckURL checks a receiver's URL: absolute http or https, a host, no
// credentials, and a host allowed or resolving only to public addresses.
// Errors are 400 subscription.badUrl and subscription.urlNotAllowed.
func (g Guard) CheckURL(ctx context.Context, raw string) error {
	if len(raw) > MaxURLLength {
		return errs.BadRequest("subscription.badUrl", "url is longer than %d characters", MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Fragment != "" {
		return errs.BadRequest("subscription.badUrl", "url must be an absolute http or https URL with a host, no credentials and no fragment")
	}
	host := u.Hostname()
	if g.allowed(host) {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if internal(ip) {
			return notAllowed(host, ip)
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return errs.BadRequest("subscription.badUrl", "url's host %s does not resolve: %v", host, err)
	}
	for _, ip := range addrs {
		if internal(ip) {
			return notAllowed(host, ip)
		}
	}
	return nil
}

func notAllowed(host string, ip netip.Addr) error {
	return errs.BadRequest("subscription.urlNotAllowed", "url's host %s is an internal address (%s); the operator may allow it with --webhook-allow-hosts", host, ip)
}

// Client returns the HTTP client of deliveries: no redirects followed (a
// 3xx is a failed delivery), a timeout, and a dialer that refuses
// internal addresses for hosts not allowed, checked on the address
// actually connected to.
func (g Guard) Client(timeout time.Duration) *http.Client {
	guarded := &net.Dialer{Timeout: 10 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return err
		}
		if internal(ap.Addr()) {
			return fmt.Errorf("webhook receiver address %s is internal and not allowed", ap.Addr())
		}
		return nil
	}}
	plain := &net.Dialer{Timeout: 10 * time.Second}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(addr)
			if g.allowed(host) {
				return plain.DialContext(ctx, network, addr)
			}
			return guarded.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{Transport: tr, Timeout: timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
