// Original file: proto/mail/v1/mailbox.proto


export interface CloseSessionResponse {
}

export interface CloseSessionResponse__Output {
}
