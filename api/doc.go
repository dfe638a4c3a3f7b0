// Package api holds the wire types of weid's HTTP API, defined once: the
// request and response bodies, receipts and problems that the server
// renders, the Go SDK (package client) decodes and the CLI prints.
//
// It imports only the standard library and did, txn, keys, errs, jose and
// gowebpki/jcs (internal/archtest), so that an application calling weid
// from Go links neither the node, its store nor its consensus engine.
// openapi.json (package server) documents the same shapes; its test keeps
// routes, schemas and problem codes in step.
package api
