package h1resp

import (
	"errors"
	"fmt"
)

// The problems ParseHead and Chunked.Scan report. Each names the rule a
// backend broke, for the log: whichever it is, the response's framing is
// lost, and so is the rest of the connection.
var (
	ErrHeadTooLarge = errors.New("h1resp: response head larger than the limit")
	ErrBareLF       = errors.New("h1resp: line ends in a bare LF")
	ErrBareCR       = errors.New("h1resp: CR not followed by LF")
	ErrStatusLine   = errors.New("h1resp: malformed status line")
	ErrVersion      = errors.New("h1resp: HTTP version not 1.0 or 1.1")
	ErrStatusCode   = errors.New("h1resp: status code not in 100..599")
	ErrObsFold      = errors.New("h1resp: obsolete line folding")
	ErrFieldName    = errors.New("h1resp: field line without a token name followed by ':'")
	ErrFieldValue   = errors.New("h1resp: control character in field value")

	ErrTransferEncoding      = errors.New("h1resp: Transfer-Encoding other than a single chunked")
	ErrTransferEncodingAndCL = errors.New("h1resp: both Transfer-Encoding and Content-Length")
	ErrContentLength         = errors.New("h1resp: invalid Content-Length")
	ErrContentLengthMismatch = errors.New("h1resp: differing Content-Length values")

	ErrChunkSize        = errors.New("h1resp: invalid chunk size")
	ErrChunkExtension   = errors.New("h1resp: control character in chunk extension")
	ErrChunkLineTooLong = errors.New("h1resp: chunk-size line too long")
	ErrChunkDataNotCRLF = errors.New("h1resp: chunk data not followed by CRLF")
)

// Refinements, prepared here so that reporting them does not allocate.
var (
	errTransferEncoding10 = fmt.Errorf("%w: in an HTTP/1.0 response", ErrTransferEncoding)
	errTransferEncodings  = fmt.Errorf("%w: several Transfer-Encoding fields", ErrTransferEncoding)
	errChunkSizeDigits    = fmt.Errorf("%w: more than 16 hex digits", ErrChunkSize)
	errContentLengthRange = fmt.Errorf("%w: larger than an int64", ErrContentLength)
)
