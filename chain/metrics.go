package chain

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the ledger's Prometheus metrics.
type Metrics struct {
	height        prometheus.Gauge
	txs           prometheus.Counter
	blocks        prometheus.Counter
	blockTxs      prometheus.Histogram
	commitSeconds prometheus.Histogram
	rejected      *prometheus.CounterVec
	storageErrors prometheus.Counter
}

// NewMetrics creates the ledger metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		height:        prometheus.NewGauge(prometheus.GaugeOpts{Name: "weid_ledger_height", Help: "Height of the last committed block."}),
		txs:           prometheus.NewCounter(prometheus.CounterOpts{Name: "weid_ledger_txs_committed_total", Help: "Transactions committed."}),
		blocks:        prometheus.NewCounter(prometheus.CounterOpts{Name: "weid_ledger_blocks_committed_total", Help: "Blocks committed."}),
		blockTxs:      prometheus.NewHistogram(prometheus.HistogramOpts{Name: "weid_ledger_block_txs", Help: "Transactions per block.", Buckets: prometheus.ExponentialBuckets(1, 4, 8)}),
		commitSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "weid_ledger_block_commit_seconds", Help: "Time to apply and durably write a block.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}),
		rejected:      prometheus.NewCounterVec(prometheus.CounterOpts{Name: "weid_ledger_txs_rejected_total", Help: "Transactions rejected, by error code."}, []string{"code"}),
		storageErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "weid_ledger_storage_errors_total", Help: "Block writes that failed on the disk."}),
	}
	reg.MustRegister(m.height, m.txs, m.blocks, m.blockTxs, m.commitSeconds, m.rejected, m.storageErrors)
	return m
}

func (m *Metrics) observeBlock(b *Block, d time.Duration) {
	m.height.Set(float64(b.Header.Height))
	m.txs.Add(float64(len(b.Txs)))
	m.blocks.Inc()
	m.blockTxs.Observe(float64(len(b.Txs)))
	m.commitSeconds.Observe(d.Seconds())
}

// Rejected counts a rejected transaction.
func (m *Metrics) Rejected(code string) {
	if m != nil {
		m.rejected.WithLabelValues(code).Inc()
	}
}
