module intray

go 1.26.8

require (
	github.com/emersion/go-message v0.18.2 // indirect
	github.com/gorilla/websocket v1.5.3 // indirect
	github.com/spf13/pflag v1.1.0 // indirect
)
