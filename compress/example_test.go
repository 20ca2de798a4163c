package compress_test

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/commitlog-go/commitlog/compress"
)

func Example() {
	records := bytes.Repeat([]byte(`{"user":"ada","action":"login"}`+"\n"), 100)

	packed, err := compress.Zstd.AppendCompressed(nil, records)
	if err != nil {
		panic(err)
	}
	fmt.Println("smaller:", len(packed) < len(records))

	unpacked, err := compress.Zstd.AppendDecompressed(nil, packed, 1<<20)
	if err != nil {
		panic(err)
	}
	fmt.Println("same:", bytes.Equal(unpacked, records))

	// A limit below the decompressed size stops the decoder.
	_, err = compress.Zstd.AppendDecompressed(nil, packed, 1000)
	fmt.Println("too large:", errors.Is(err, compress.ErrTooLarge))

	// Output:
	// smaller: true
	// same: true
	// too large: true
}

func ExampleParseCodec() {
	c, err := compress.ParseCodec("LZ4")
	if err != nil {
		panic(err)
	}
	fmt.Println(c, int8(c))

	_, err = compress.ParseCodec("brotli")
	fmt.Println(err)

	// Output:
	// lz4 3
	// compress: unknown codec "brotli"
}

func ExampleCodec_AppendDecompressed() {
	// Buffers reused across calls keep decoding free of allocations.
	var packed, records []byte
	for _, c := range []compress.Codec{compress.Gzip, compress.Snappy, compress.LZ4} {
		var err error
		packed, err = c.AppendCompressed(packed[:0], []byte("hello, hello, hello"))
		if err != nil {
			panic(err)
		}
		records, err = c.AppendDecompressed(records[:0], packed, 100)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s: %s\n", c, records)
	}

	// Output:
	// gzip: hello, hello, hello
	// snappy: hello, hello, hello
	// lz4: hello, hello, hello
}
