// Command minimal is the smallest Go HTTP backend: it answers "Hello
// World" to every request on 127.0.0.1:$PORT0. proxybench measures cold
// starts with it as well as with the kitchen, whose own start-up is
// longer.
package main

import (
	"net/http"
	"os"
)

func main() {
	hello := []byte("Hello World")
	_ = http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT0"), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(hello)
	}))
}
