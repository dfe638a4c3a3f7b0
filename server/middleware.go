package server

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/weidgo/weid/server/httpx"
)

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "weid_http_requests_total", Help: "HTTP requests by route, method and status."}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "weid_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: prometheus.ExponentialBuckets(0.0001, 3, 12)}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// observe logs each request and records its metrics under its route pattern.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		route := chi.RouteContext(r.Context()).RoutePattern()
		if route == "" {
			route = "unmatched"
		}
		d := time.Since(start)
		if s.metrics != nil {
			s.metrics.requests.WithLabelValues(route, r.Method, strconv.Itoa(ww.Status())).Inc()
			s.metrics.duration.WithLabelValues(route).Observe(d.Seconds())
		}
		level := slog.LevelDebug
		if ww.Status() >= 500 && ww.Status() != http.StatusNotImplemented {
			level = slog.LevelError
		} else if r.Method != http.MethodGet {
			level = slog.LevelInfo
		}
		if !slog.Default().Enabled(r.Context(), level) {
			return // the arguments below would be built for nothing
		}
		slog.Log(r.Context(), level, "http", "method", r.Method, "path", r.URL.Path, "route", route, "status", ww.Status(), "bytes", ww.BytesWritten(), "duration", d, "requestId", middleware.GetReqID(r.Context()))
	})
}

// recoverer turns a panic into a 500 problem and logs it: a bug must not
// take the node down or leak a stack trace to the caller.
func recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				slog.ErrorContext(r.Context(), "panic", "value", v, "path", r.URL.Path, "stack", string(stack()))
				httpx.Internal(w, r)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// limitBody caps request bodies.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// requestID sets X-Request-Id on the response, from chi's request id.
func requestID(next http.Handler) http.Handler {
	return middleware.RequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", middleware.GetReqID(r.Context()))
		next.ServeHTTP(w, r)
	}))
}
