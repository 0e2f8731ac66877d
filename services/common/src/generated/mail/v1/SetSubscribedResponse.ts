// Original file: proto/mail/v1/mailbox.proto


export interface SetSubscribedResponse {
}

export interface SetSubscribedResponse__Output {
}
