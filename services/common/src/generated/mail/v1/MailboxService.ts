// Original file: proto/mail/v1/mailbox.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AccountState as _mail_v1_AccountState, AccountState__Output as _mail_v1_AccountState__Output } from '../../mail/v1/AccountState.js';
import type { AclResponse as _mail_v1_AclResponse, AclResponse__Output as _mail_v1_AclResponse__Output } from '../../mail/v1/AclResponse.js';
import type { AppendRequest as _mail_v1_AppendRequest, AppendRequest__Output as _mail_v1_AppendRequest__Output } from '../../mail/v1/AppendRequest.js';
import type { AppendResponse as _mail_v1_AppendResponse, AppendResponse__Output as _mail_v1_AppendResponse__Output } from '../../mail/v1/AppendResponse.js';
import type { AuthenticateRequest as _mail_v1_AuthenticateRequest, AuthenticateRequest__Output as _mail_v1_AuthenticateRequest__Output } from '../../mail/v1/AuthenticateRequest.js';
import type { AuthenticateResponse as _mail_v1_AuthenticateResponse, AuthenticateResponse__Output as _mail_v1_AuthenticateResponse__Output } from '../../mail/v1/AuthenticateResponse.js';
import type { ChangesResponse as _mail_v1_ChangesResponse, ChangesResponse__Output as _mail_v1_ChangesResponse__Output } from '../../mail/v1/ChangesResponse.js';
import type { CheckRecipientRequest as _mail_v1_CheckRecipientRequest, CheckRecipientRequest__Output as _mail_v1_CheckRecipientRequest__Output } from '../../mail/v1/CheckRecipientRequest.js';
import type { CheckRecipientResponse as _mail_v1_CheckRecipientResponse, CheckRecipientResponse__Output as _mail_v1_CheckRecipientResponse__Output } from '../../mail/v1/CheckRecipientResponse.js';
import type { CloseSessionRequest as _mail_v1_CloseSessionRequest, CloseSessionRequest__Output as _mail_v1_CloseSessionRequest__Output } from '../../mail/v1/CloseSessionRequest.js';
import type { CloseSessionResponse as _mail_v1_CloseSessionResponse, CloseSessionResponse__Output as _mail_v1_CloseSessionResponse__Output } from '../../mail/v1/CloseSessionResponse.js';
import type { CopyRequest as _mail_v1_CopyRequest, CopyRequest__Output as _mail_v1_CopyRequest__Output } from '../../mail/v1/CopyRequest.js';
import type { CopyResponse as _mail_v1_CopyResponse, CopyResponse__Output as _mail_v1_CopyResponse__Output } from '../../mail/v1/CopyResponse.js';
import type { CreateMailboxRequest as _mail_v1_CreateMailboxRequest, CreateMailboxRequest__Output as _mail_v1_CreateMailboxRequest__Output } from '../../mail/v1/CreateMailboxRequest.js';
import type { DeleteMailboxRequest as _mail_v1_DeleteMailboxRequest, DeleteMailboxRequest__Output as _mail_v1_DeleteMailboxRequest__Output } from '../../mail/v1/DeleteMailboxRequest.js';
import type { DeleteMailboxResponse as _mail_v1_DeleteMailboxResponse, DeleteMailboxResponse__Output as _mail_v1_DeleteMailboxResponse__Output } from '../../mail/v1/DeleteMailboxResponse.js';
import type { DeliverRequest as _mail_v1_DeliverRequest, DeliverRequest__Output as _mail_v1_DeliverRequest__Output } from '../../mail/v1/DeliverRequest.js';
import type { DeliverResponse as _mail_v1_DeliverResponse, DeliverResponse__Output as _mail_v1_DeliverResponse__Output } from '../../mail/v1/DeliverResponse.js';
import type { EdgeHeartbeatRequest as _mail_v1_EdgeHeartbeatRequest, EdgeHeartbeatRequest__Output as _mail_v1_EdgeHeartbeatRequest__Output } from '../../mail/v1/EdgeHeartbeatRequest.js';
import type { EdgeHeartbeatResponse as _mail_v1_EdgeHeartbeatResponse, EdgeHeartbeatResponse__Output as _mail_v1_EdgeHeartbeatResponse__Output } from '../../mail/v1/EdgeHeartbeatResponse.js';
import type { ExpungeRequest as _mail_v1_ExpungeRequest, ExpungeRequest__Output as _mail_v1_ExpungeRequest__Output } from '../../mail/v1/ExpungeRequest.js';
import type { ExpungeResponse as _mail_v1_ExpungeResponse, ExpungeResponse__Output as _mail_v1_ExpungeResponse__Output } from '../../mail/v1/ExpungeResponse.js';
import type { FetchRequest as _mail_v1_FetchRequest, FetchRequest__Output as _mail_v1_FetchRequest__Output } from '../../mail/v1/FetchRequest.js';
import type { FetchResponse as _mail_v1_FetchResponse, FetchResponse__Output as _mail_v1_FetchResponse__Output } from '../../mail/v1/FetchResponse.js';
import type { GetAccountStateRequest as _mail_v1_GetAccountStateRequest, GetAccountStateRequest__Output as _mail_v1_GetAccountStateRequest__Output } from '../../mail/v1/GetAccountStateRequest.js';
import type { GetAclRequest as _mail_v1_GetAclRequest, GetAclRequest__Output as _mail_v1_GetAclRequest__Output } from '../../mail/v1/GetAclRequest.js';
import type { GetChangesRequest as _mail_v1_GetChangesRequest, GetChangesRequest__Output as _mail_v1_GetChangesRequest__Output } from '../../mail/v1/GetChangesRequest.js';
import type { GetQuotaRequest as _mail_v1_GetQuotaRequest, GetQuotaRequest__Output as _mail_v1_GetQuotaRequest__Output } from '../../mail/v1/GetQuotaRequest.js';
import type { GetQuotaResponse as _mail_v1_GetQuotaResponse, GetQuotaResponse__Output as _mail_v1_GetQuotaResponse__Output } from '../../mail/v1/GetQuotaResponse.js';
import type { GetStatusRequest as _mail_v1_GetStatusRequest, GetStatusRequest__Output as _mail_v1_GetStatusRequest__Output } from '../../mail/v1/GetStatusRequest.js';
import type { GetStatusesRequest as _mail_v1_GetStatusesRequest, GetStatusesRequest__Output as _mail_v1_GetStatusesRequest__Output } from '../../mail/v1/GetStatusesRequest.js';
import type { GetStatusesResponse as _mail_v1_GetStatusesResponse, GetStatusesResponse__Output as _mail_v1_GetStatusesResponse__Output } from '../../mail/v1/GetStatusesResponse.js';
import type { ListMailboxesRequest as _mail_v1_ListMailboxesRequest, ListMailboxesRequest__Output as _mail_v1_ListMailboxesRequest__Output } from '../../mail/v1/ListMailboxesRequest.js';
import type { ListMailboxesResponse as _mail_v1_ListMailboxesResponse, ListMailboxesResponse__Output as _mail_v1_ListMailboxesResponse__Output } from '../../mail/v1/ListMailboxesResponse.js';
import type { MailboxInfo as _mail_v1_MailboxInfo, MailboxInfo__Output as _mail_v1_MailboxInfo__Output } from '../../mail/v1/MailboxInfo.js';
import type { MailboxStatus as _mail_v1_MailboxStatus, MailboxStatus__Output as _mail_v1_MailboxStatus__Output } from '../../mail/v1/MailboxStatus.js';
import type { MuxFrame as _mail_v1_MuxFrame, MuxFrame__Output as _mail_v1_MuxFrame__Output } from '../../mail/v1/MuxFrame.js';
import type { OpenSessionRequest as _mail_v1_OpenSessionRequest, OpenSessionRequest__Output as _mail_v1_OpenSessionRequest__Output } from '../../mail/v1/OpenSessionRequest.js';
import type { OpenSessionResponse as _mail_v1_OpenSessionResponse, OpenSessionResponse__Output as _mail_v1_OpenSessionResponse__Output } from '../../mail/v1/OpenSessionResponse.js';
import type { RenameMailboxRequest as _mail_v1_RenameMailboxRequest, RenameMailboxRequest__Output as _mail_v1_RenameMailboxRequest__Output } from '../../mail/v1/RenameMailboxRequest.js';
import type { RenameMailboxResponse as _mail_v1_RenameMailboxResponse, RenameMailboxResponse__Output as _mail_v1_RenameMailboxResponse__Output } from '../../mail/v1/RenameMailboxResponse.js';
import type { SearchRequest as _mail_v1_SearchRequest, SearchRequest__Output as _mail_v1_SearchRequest__Output } from '../../mail/v1/SearchRequest.js';
import type { SearchResponse as _mail_v1_SearchResponse, SearchResponse__Output as _mail_v1_SearchResponse__Output } from '../../mail/v1/SearchResponse.js';
import type { SelectRequest as _mail_v1_SelectRequest, SelectRequest__Output as _mail_v1_SelectRequest__Output } from '../../mail/v1/SelectRequest.js';
import type { SelectResponse as _mail_v1_SelectResponse, SelectResponse__Output as _mail_v1_SelectResponse__Output } from '../../mail/v1/SelectResponse.js';
import type { SetAclRequest as _mail_v1_SetAclRequest, SetAclRequest__Output as _mail_v1_SetAclRequest__Output } from '../../mail/v1/SetAclRequest.js';
import type { SetAclResponse as _mail_v1_SetAclResponse, SetAclResponse__Output as _mail_v1_SetAclResponse__Output } from '../../mail/v1/SetAclResponse.js';
import type { SetSubscribedRequest as _mail_v1_SetSubscribedRequest, SetSubscribedRequest__Output as _mail_v1_SetSubscribedRequest__Output } from '../../mail/v1/SetSubscribedRequest.js';
import type { SetSubscribedResponse as _mail_v1_SetSubscribedResponse, SetSubscribedResponse__Output as _mail_v1_SetSubscribedResponse__Output } from '../../mail/v1/SetSubscribedResponse.js';
import type { StoreRequest as _mail_v1_StoreRequest, StoreRequest__Output as _mail_v1_StoreRequest__Output } from '../../mail/v1/StoreRequest.js';
import type { StoreResponse as _mail_v1_StoreResponse, StoreResponse__Output as _mail_v1_StoreResponse__Output } from '../../mail/v1/StoreResponse.js';

export interface MailboxServiceClient extends grpc.Client {
  Append(argument: _mail_v1_AppendRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AppendResponse__Output>): grpc.ClientUnaryCall;
  Append(argument: _mail_v1_AppendRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_AppendResponse__Output>): grpc.ClientUnaryCall;
  Append(argument: _mail_v1_AppendRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AppendResponse__Output>): grpc.ClientUnaryCall;
  Append(argument: _mail_v1_AppendRequest, callback: grpc.requestCallback<_mail_v1_AppendResponse__Output>): grpc.ClientUnaryCall;
  append(argument: _mail_v1_AppendRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AppendResponse__Output>): grpc.ClientUnaryCall;
  append(argument: _mail_v1_AppendRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_AppendResponse__Output>): grpc.ClientUnaryCall;
  append(argument: _mail_v1_AppendRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AppendResponse__Output>): grpc.ClientUnaryCall;
  append(argument: _mail_v1_AppendRequest, callback: grpc.requestCallback<_mail_v1_AppendResponse__Output>): grpc.ClientUnaryCall;
  
  Authenticate(argument: _mail_v1_AuthenticateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AuthenticateResponse__Output>): grpc.ClientUnaryCall;
  Authenticate(argument: _mail_v1_AuthenticateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_AuthenticateResponse__Output>): grpc.ClientUnaryCall;
  Authenticate(argument: _mail_v1_AuthenticateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AuthenticateResponse__Output>): grpc.ClientUnaryCall;
  Authenticate(argument: _mail_v1_AuthenticateRequest, callback: grpc.requestCallback<_mail_v1_AuthenticateResponse__Output>): grpc.ClientUnaryCall;
  authenticate(argument: _mail_v1_AuthenticateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AuthenticateResponse__Output>): grpc.ClientUnaryCall;
  authenticate(argument: _mail_v1_AuthenticateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_AuthenticateResponse__Output>): grpc.ClientUnaryCall;
  authenticate(argument: _mail_v1_AuthenticateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AuthenticateResponse__Output>): grpc.ClientUnaryCall;
  authenticate(argument: _mail_v1_AuthenticateRequest, callback: grpc.requestCallback<_mail_v1_AuthenticateResponse__Output>): grpc.ClientUnaryCall;
  
  CheckRecipient(argument: _mail_v1_CheckRecipientRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_CheckRecipientResponse__Output>): grpc.ClientUnaryCall;
  CheckRecipient(argument: _mail_v1_CheckRecipientRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_CheckRecipientResponse__Output>): grpc.ClientUnaryCall;
  CheckRecipient(argument: _mail_v1_CheckRecipientRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_CheckRecipientResponse__Output>): grpc.ClientUnaryCall;
  CheckRecipient(argument: _mail_v1_CheckRecipientRequest, callback: grpc.requestCallback<_mail_v1_CheckRecipientResponse__Output>): grpc.ClientUnaryCall;
  checkRecipient(argument: _mail_v1_CheckRecipientRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_CheckRecipientResponse__Output>): grpc.ClientUnaryCall;
  checkRecipient(argument: _mail_v1_CheckRecipientRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_CheckRecipientResponse__Output>): grpc.ClientUnaryCall;
  checkRecipient(argument: _mail_v1_CheckRecipientRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_CheckRecipientResponse__Output>): grpc.ClientUnaryCall;
  checkRecipient(argument: _mail_v1_CheckRecipientRequest, callback: grpc.requestCallback<_mail_v1_CheckRecipientResponse__Output>): grpc.ClientUnaryCall;
  
  CloseSession(argument: _mail_v1_CloseSessionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_CloseSessionResponse__Output>): grpc.ClientUnaryCall;
  CloseSession(argument: _mail_v1_CloseSessionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_CloseSessionResponse__Output>): grpc.ClientUnaryCall;
  CloseSession(argument: _mail_v1_CloseSessionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_CloseSessionResponse__Output>): grpc.ClientUnaryCall;
  CloseSession(argument: _mail_v1_CloseSessionRequest, callback: grpc.requestCallback<_mail_v1_CloseSessionResponse__Output>): grpc.ClientUnaryCall;
  closeSession(argument: _mail_v1_CloseSessionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_CloseSessionResponse__Output>): grpc.ClientUnaryCall;
  closeSession(argument: _mail_v1_CloseSessionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_CloseSessionResponse__Output>): grpc.ClientUnaryCall;
  closeSession(argument: _mail_v1_CloseSessionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_CloseSessionResponse__Output>): grpc.ClientUnaryCall;
  closeSession(argument: _mail_v1_CloseSessionRequest, callback: grpc.requestCallback<_mail_v1_CloseSessionResponse__Output>): grpc.ClientUnaryCall;
  
  Copy(argument: _mail_v1_CopyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_CopyResponse__Output>): grpc.ClientUnaryCall;
  Copy(argument: _mail_v1_CopyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_CopyResponse__Output>): grpc.ClientUnaryCall;
  Copy(argument: _mail_v1_CopyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_CopyResponse__Output>): grpc.ClientUnaryCall;
  Copy(argument: _mail_v1_CopyRequest, callback: grpc.requestCallback<_mail_v1_CopyResponse__Output>): grpc.ClientUnaryCall;
  copy(argument: _mail_v1_CopyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_CopyResponse__Output>): grpc.ClientUnaryCall;
  copy(argument: _mail_v1_CopyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_CopyResponse__Output>): grpc.ClientUnaryCall;
  copy(argument: _mail_v1_CopyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_CopyResponse__Output>): grpc.ClientUnaryCall;
  copy(argument: _mail_v1_CopyRequest, callback: grpc.requestCallback<_mail_v1_CopyResponse__Output>): grpc.ClientUnaryCall;
  
  CreateMailbox(argument: _mail_v1_CreateMailboxRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_MailboxInfo__Output>): grpc.ClientUnaryCall;
  CreateMailbox(argument: _mail_v1_CreateMailboxRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_MailboxInfo__Output>): grpc.ClientUnaryCall;
  CreateMailbox(argument: _mail_v1_CreateMailboxRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_MailboxInfo__Output>): grpc.ClientUnaryCall;
  CreateMailbox(argument: _mail_v1_CreateMailboxRequest, callback: grpc.requestCallback<_mail_v1_MailboxInfo__Output>): grpc.ClientUnaryCall;
  createMailbox(argument: _mail_v1_CreateMailboxRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_MailboxInfo__Output>): grpc.ClientUnaryCall;
  createMailbox(argument: _mail_v1_CreateMailboxRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_MailboxInfo__Output>): grpc.ClientUnaryCall;
  createMailbox(argument: _mail_v1_CreateMailboxRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_MailboxInfo__Output>): grpc.ClientUnaryCall;
  createMailbox(argument: _mail_v1_CreateMailboxRequest, callback: grpc.requestCallback<_mail_v1_MailboxInfo__Output>): grpc.ClientUnaryCall;
  
  DeleteMailbox(argument: _mail_v1_DeleteMailboxRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_DeleteMailboxResponse__Output>): grpc.ClientUnaryCall;
  DeleteMailbox(argument: _mail_v1_DeleteMailboxRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_DeleteMailboxResponse__Output>): grpc.ClientUnaryCall;
  DeleteMailbox(argument: _mail_v1_DeleteMailboxRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_DeleteMailboxResponse__Output>): grpc.ClientUnaryCall;
  DeleteMailbox(argument: _mail_v1_DeleteMailboxRequest, callback: grpc.requestCallback<_mail_v1_DeleteMailboxResponse__Output>): grpc.ClientUnaryCall;
  deleteMailbox(argument: _mail_v1_DeleteMailboxRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_DeleteMailboxResponse__Output>): grpc.ClientUnaryCall;
  deleteMailbox(argument: _mail_v1_DeleteMailboxRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_DeleteMailboxResponse__Output>): grpc.ClientUnaryCall;
  deleteMailbox(argument: _mail_v1_DeleteMailboxRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_DeleteMailboxResponse__Output>): grpc.ClientUnaryCall;
  deleteMailbox(argument: _mail_v1_DeleteMailboxRequest, callback: grpc.requestCallback<_mail_v1_DeleteMailboxResponse__Output>): grpc.ClientUnaryCall;
  
  Deliver(argument: _mail_v1_DeliverRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_DeliverResponse__Output>): grpc.ClientUnaryCall;
  Deliver(argument: _mail_v1_DeliverRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_DeliverResponse__Output>): grpc.ClientUnaryCall;
  Deliver(argument: _mail_v1_DeliverRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_DeliverResponse__Output>): grpc.ClientUnaryCall;
  Deliver(argument: _mail_v1_DeliverRequest, callback: grpc.requestCallback<_mail_v1_DeliverResponse__Output>): grpc.ClientUnaryCall;
  deliver(argument: _mail_v1_DeliverRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_DeliverResponse__Output>): grpc.ClientUnaryCall;
  deliver(argument: _mail_v1_DeliverRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_DeliverResponse__Output>): grpc.ClientUnaryCall;
  deliver(argument: _mail_v1_DeliverRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_DeliverResponse__Output>): grpc.ClientUnaryCall;
  deliver(argument: _mail_v1_DeliverRequest, callback: grpc.requestCallback<_mail_v1_DeliverResponse__Output>): grpc.ClientUnaryCall;
  
  EdgeHeartbeat(argument: _mail_v1_EdgeHeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_EdgeHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  EdgeHeartbeat(argument: _mail_v1_EdgeHeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_EdgeHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  EdgeHeartbeat(argument: _mail_v1_EdgeHeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_EdgeHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  EdgeHeartbeat(argument: _mail_v1_EdgeHeartbeatRequest, callback: grpc.requestCallback<_mail_v1_EdgeHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  edgeHeartbeat(argument: _mail_v1_EdgeHeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_EdgeHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  edgeHeartbeat(argument: _mail_v1_EdgeHeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_EdgeHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  edgeHeartbeat(argument: _mail_v1_EdgeHeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_EdgeHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  edgeHeartbeat(argument: _mail_v1_EdgeHeartbeatRequest, callback: grpc.requestCallback<_mail_v1_EdgeHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  
  Expunge(argument: _mail_v1_ExpungeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ExpungeResponse__Output>): grpc.ClientUnaryCall;
  Expunge(argument: _mail_v1_ExpungeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_ExpungeResponse__Output>): grpc.ClientUnaryCall;
  Expunge(argument: _mail_v1_ExpungeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ExpungeResponse__Output>): grpc.ClientUnaryCall;
  Expunge(argument: _mail_v1_ExpungeRequest, callback: grpc.requestCallback<_mail_v1_ExpungeResponse__Output>): grpc.ClientUnaryCall;
  expunge(argument: _mail_v1_ExpungeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ExpungeResponse__Output>): grpc.ClientUnaryCall;
  expunge(argument: _mail_v1_ExpungeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_ExpungeResponse__Output>): grpc.ClientUnaryCall;
  expunge(argument: _mail_v1_ExpungeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ExpungeResponse__Output>): grpc.ClientUnaryCall;
  expunge(argument: _mail_v1_ExpungeRequest, callback: grpc.requestCallback<_mail_v1_ExpungeResponse__Output>): grpc.ClientUnaryCall;
  
  Fetch(argument: _mail_v1_FetchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mail_v1_FetchResponse__Output>;
  Fetch(argument: _mail_v1_FetchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mail_v1_FetchResponse__Output>;
  fetch(argument: _mail_v1_FetchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mail_v1_FetchResponse__Output>;
  fetch(argument: _mail_v1_FetchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mail_v1_FetchResponse__Output>;
  
  GetAccountState(argument: _mail_v1_GetAccountStateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AccountState__Output>): grpc.ClientUnaryCall;
  GetAccountState(argument: _mail_v1_GetAccountStateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_AccountState__Output>): grpc.ClientUnaryCall;
  GetAccountState(argument: _mail_v1_GetAccountStateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AccountState__Output>): grpc.ClientUnaryCall;
  GetAccountState(argument: _mail_v1_GetAccountStateRequest, callback: grpc.requestCallback<_mail_v1_AccountState__Output>): grpc.ClientUnaryCall;
  getAccountState(argument: _mail_v1_GetAccountStateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AccountState__Output>): grpc.ClientUnaryCall;
  getAccountState(argument: _mail_v1_GetAccountStateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_AccountState__Output>): grpc.ClientUnaryCall;
  getAccountState(argument: _mail_v1_GetAccountStateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AccountState__Output>): grpc.ClientUnaryCall;
  getAccountState(argument: _mail_v1_GetAccountStateRequest, callback: grpc.requestCallback<_mail_v1_AccountState__Output>): grpc.ClientUnaryCall;
  
  GetAcl(argument: _mail_v1_GetAclRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AclResponse__Output>): grpc.ClientUnaryCall;
  GetAcl(argument: _mail_v1_GetAclRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_AclResponse__Output>): grpc.ClientUnaryCall;
  GetAcl(argument: _mail_v1_GetAclRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AclResponse__Output>): grpc.ClientUnaryCall;
  GetAcl(argument: _mail_v1_GetAclRequest, callback: grpc.requestCallback<_mail_v1_AclResponse__Output>): grpc.ClientUnaryCall;
  getAcl(argument: _mail_v1_GetAclRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AclResponse__Output>): grpc.ClientUnaryCall;
  getAcl(argument: _mail_v1_GetAclRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_AclResponse__Output>): grpc.ClientUnaryCall;
  getAcl(argument: _mail_v1_GetAclRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_AclResponse__Output>): grpc.ClientUnaryCall;
  getAcl(argument: _mail_v1_GetAclRequest, callback: grpc.requestCallback<_mail_v1_AclResponse__Output>): grpc.ClientUnaryCall;
  
  GetChanges(argument: _mail_v1_GetChangesRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mail_v1_ChangesResponse__Output>;
  GetChanges(argument: _mail_v1_GetChangesRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mail_v1_ChangesResponse__Output>;
  getChanges(argument: _mail_v1_GetChangesRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mail_v1_ChangesResponse__Output>;
  getChanges(argument: _mail_v1_GetChangesRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mail_v1_ChangesResponse__Output>;
  
  GetQuota(argument: _mail_v1_GetQuotaRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_GetQuotaResponse__Output>): grpc.ClientUnaryCall;
  GetQuota(argument: _mail_v1_GetQuotaRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_GetQuotaResponse__Output>): grpc.ClientUnaryCall;
  GetQuota(argument: _mail_v1_GetQuotaRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_GetQuotaResponse__Output>): grpc.ClientUnaryCall;
  GetQuota(argument: _mail_v1_GetQuotaRequest, callback: grpc.requestCallback<_mail_v1_GetQuotaResponse__Output>): grpc.ClientUnaryCall;
  getQuota(argument: _mail_v1_GetQuotaRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_GetQuotaResponse__Output>): grpc.ClientUnaryCall;
  getQuota(argument: _mail_v1_GetQuotaRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_GetQuotaResponse__Output>): grpc.ClientUnaryCall;
  getQuota(argument: _mail_v1_GetQuotaRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_GetQuotaResponse__Output>): grpc.ClientUnaryCall;
  getQuota(argument: _mail_v1_GetQuotaRequest, callback: grpc.requestCallback<_mail_v1_GetQuotaResponse__Output>): grpc.ClientUnaryCall;
  
  GetStatus(argument: _mail_v1_GetStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_MailboxStatus__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _mail_v1_GetStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_MailboxStatus__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _mail_v1_GetStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_MailboxStatus__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _mail_v1_GetStatusRequest, callback: grpc.requestCallback<_mail_v1_MailboxStatus__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _mail_v1_GetStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_MailboxStatus__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _mail_v1_GetStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_MailboxStatus__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _mail_v1_GetStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_MailboxStatus__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _mail_v1_GetStatusRequest, callback: grpc.requestCallback<_mail_v1_MailboxStatus__Output>): grpc.ClientUnaryCall;
  
  GetStatuses(argument: _mail_v1_GetStatusesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_GetStatusesResponse__Output>): grpc.ClientUnaryCall;
  GetStatuses(argument: _mail_v1_GetStatusesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_GetStatusesResponse__Output>): grpc.ClientUnaryCall;
  GetStatuses(argument: _mail_v1_GetStatusesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_GetStatusesResponse__Output>): grpc.ClientUnaryCall;
  GetStatuses(argument: _mail_v1_GetStatusesRequest, callback: grpc.requestCallback<_mail_v1_GetStatusesResponse__Output>): grpc.ClientUnaryCall;
  getStatuses(argument: _mail_v1_GetStatusesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_GetStatusesResponse__Output>): grpc.ClientUnaryCall;
  getStatuses(argument: _mail_v1_GetStatusesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_GetStatusesResponse__Output>): grpc.ClientUnaryCall;
  getStatuses(argument: _mail_v1_GetStatusesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_GetStatusesResponse__Output>): grpc.ClientUnaryCall;
  getStatuses(argument: _mail_v1_GetStatusesRequest, callback: grpc.requestCallback<_mail_v1_GetStatusesResponse__Output>): grpc.ClientUnaryCall;
  
  ListMailboxes(argument: _mail_v1_ListMailboxesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ListMailboxesResponse__Output>): grpc.ClientUnaryCall;
  ListMailboxes(argument: _mail_v1_ListMailboxesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_ListMailboxesResponse__Output>): grpc.ClientUnaryCall;
  ListMailboxes(argument: _mail_v1_ListMailboxesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ListMailboxesResponse__Output>): grpc.ClientUnaryCall;
  ListMailboxes(argument: _mail_v1_ListMailboxesRequest, callback: grpc.requestCallback<_mail_v1_ListMailboxesResponse__Output>): grpc.ClientUnaryCall;
  listMailboxes(argument: _mail_v1_ListMailboxesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ListMailboxesResponse__Output>): grpc.ClientUnaryCall;
  listMailboxes(argument: _mail_v1_ListMailboxesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_ListMailboxesResponse__Output>): grpc.ClientUnaryCall;
  listMailboxes(argument: _mail_v1_ListMailboxesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_ListMailboxesResponse__Output>): grpc.ClientUnaryCall;
  listMailboxes(argument: _mail_v1_ListMailboxesRequest, callback: grpc.requestCallback<_mail_v1_ListMailboxesResponse__Output>): grpc.ClientUnaryCall;
  
  Move(argument: _mail_v1_CopyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_CopyResponse__Output>): grpc.ClientUnaryCall;
  Move(argument: _mail_v1_CopyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_CopyResponse__Output>): grpc.ClientUnaryCall;
  Move(argument: _mail_v1_CopyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_CopyResponse__Output>): grpc.ClientUnaryCall;
  Move(argument: _mail_v1_CopyRequest, callback: grpc.requestCallback<_mail_v1_CopyResponse__Output>): grpc.ClientUnaryCall;
  move(argument: _mail_v1_CopyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_CopyResponse__Output>): grpc.ClientUnaryCall;
  move(argument: _mail_v1_CopyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_CopyResponse__Output>): grpc.ClientUnaryCall;
  move(argument: _mail_v1_CopyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_CopyResponse__Output>): grpc.ClientUnaryCall;
  move(argument: _mail_v1_CopyRequest, callback: grpc.requestCallback<_mail_v1_CopyResponse__Output>): grpc.ClientUnaryCall;
  
  Multiplex(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_mail_v1_MuxFrame, _mail_v1_MuxFrame__Output>;
  Multiplex(options?: grpc.CallOptions): grpc.ClientDuplexStream<_mail_v1_MuxFrame, _mail_v1_MuxFrame__Output>;
  multiplex(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_mail_v1_MuxFrame, _mail_v1_MuxFrame__Output>;
  multiplex(options?: grpc.CallOptions): grpc.ClientDuplexStream<_mail_v1_MuxFrame, _mail_v1_MuxFrame__Output>;
  
  OpenSession(argument: _mail_v1_OpenSessionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_OpenSessionResponse__Output>): grpc.ClientUnaryCall;
  OpenSession(argument: _mail_v1_OpenSessionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_OpenSessionResponse__Output>): grpc.ClientUnaryCall;
  OpenSession(argument: _mail_v1_OpenSessionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_OpenSessionResponse__Output>): grpc.ClientUnaryCall;
  OpenSession(argument: _mail_v1_OpenSessionRequest, callback: grpc.requestCallback<_mail_v1_OpenSessionResponse__Output>): grpc.ClientUnaryCall;
  openSession(argument: _mail_v1_OpenSessionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_OpenSessionResponse__Output>): grpc.ClientUnaryCall;
  openSession(argument: _mail_v1_OpenSessionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_OpenSessionResponse__Output>): grpc.ClientUnaryCall;
  openSession(argument: _mail_v1_OpenSessionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_OpenSessionResponse__Output>): grpc.ClientUnaryCall;
  openSession(argument: _mail_v1_OpenSessionRequest, callback: grpc.requestCallback<_mail_v1_OpenSessionResponse__Output>): grpc.ClientUnaryCall;
  
  RenameMailbox(argument: _mail_v1_RenameMailboxRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_RenameMailboxResponse__Output>): grpc.ClientUnaryCall;
  RenameMailbox(argument: _mail_v1_RenameMailboxRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_RenameMailboxResponse__Output>): grpc.ClientUnaryCall;
  RenameMailbox(argument: _mail_v1_RenameMailboxRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_RenameMailboxResponse__Output>): grpc.ClientUnaryCall;
  RenameMailbox(argument: _mail_v1_RenameMailboxRequest, callback: grpc.requestCallback<_mail_v1_RenameMailboxResponse__Output>): grpc.ClientUnaryCall;
  renameMailbox(argument: _mail_v1_RenameMailboxRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_RenameMailboxResponse__Output>): grpc.ClientUnaryCall;
  renameMailbox(argument: _mail_v1_RenameMailboxRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_RenameMailboxResponse__Output>): grpc.ClientUnaryCall;
  renameMailbox(argument: _mail_v1_RenameMailboxRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_RenameMailboxResponse__Output>): grpc.ClientUnaryCall;
  renameMailbox(argument: _mail_v1_RenameMailboxRequest, callback: grpc.requestCallback<_mail_v1_RenameMailboxResponse__Output>): grpc.ClientUnaryCall;
  
  Search(argument: _mail_v1_SearchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mail_v1_SearchResponse__Output>;
  Search(argument: _mail_v1_SearchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mail_v1_SearchResponse__Output>;
  search(argument: _mail_v1_SearchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mail_v1_SearchResponse__Output>;
  search(argument: _mail_v1_SearchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mail_v1_SearchResponse__Output>;
  
  Select(argument: _mail_v1_SelectRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mail_v1_SelectResponse__Output>;
  Select(argument: _mail_v1_SelectRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mail_v1_SelectResponse__Output>;
  select(argument: _mail_v1_SelectRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mail_v1_SelectResponse__Output>;
  select(argument: _mail_v1_SelectRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mail_v1_SelectResponse__Output>;
  
  SetAcl(argument: _mail_v1_SetAclRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_SetAclResponse__Output>): grpc.ClientUnaryCall;
  SetAcl(argument: _mail_v1_SetAclRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_SetAclResponse__Output>): grpc.ClientUnaryCall;
  SetAcl(argument: _mail_v1_SetAclRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_SetAclResponse__Output>): grpc.ClientUnaryCall;
  SetAcl(argument: _mail_v1_SetAclRequest, callback: grpc.requestCallback<_mail_v1_SetAclResponse__Output>): grpc.ClientUnaryCall;
  setAcl(argument: _mail_v1_SetAclRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_SetAclResponse__Output>): grpc.ClientUnaryCall;
  setAcl(argument: _mail_v1_SetAclRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_SetAclResponse__Output>): grpc.ClientUnaryCall;
  setAcl(argument: _mail_v1_SetAclRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_SetAclResponse__Output>): grpc.ClientUnaryCall;
  setAcl(argument: _mail_v1_SetAclRequest, callback: grpc.requestCallback<_mail_v1_SetAclResponse__Output>): grpc.ClientUnaryCall;
  
  SetSubscribed(argument: _mail_v1_SetSubscribedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_SetSubscribedResponse__Output>): grpc.ClientUnaryCall;
  SetSubscribed(argument: _mail_v1_SetSubscribedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_SetSubscribedResponse__Output>): grpc.ClientUnaryCall;
  SetSubscribed(argument: _mail_v1_SetSubscribedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_SetSubscribedResponse__Output>): grpc.ClientUnaryCall;
  SetSubscribed(argument: _mail_v1_SetSubscribedRequest, callback: grpc.requestCallback<_mail_v1_SetSubscribedResponse__Output>): grpc.ClientUnaryCall;
  setSubscribed(argument: _mail_v1_SetSubscribedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_SetSubscribedResponse__Output>): grpc.ClientUnaryCall;
  setSubscribed(argument: _mail_v1_SetSubscribedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mail_v1_SetSubscribedResponse__Output>): grpc.ClientUnaryCall;
  setSubscribed(argument: _mail_v1_SetSubscribedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mail_v1_SetSubscribedResponse__Output>): grpc.ClientUnaryCall;
  setSubscribed(argument: _mail_v1_SetSubscribedRequest, callback: grpc.requestCallback<_mail_v1_SetSubscribedResponse__Output>): grpc.ClientUnaryCall;
  
  Store(argument: _mail_v1_StoreRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mail_v1_StoreResponse__Output>;
  Store(argument: _mail_v1_StoreRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mail_v1_StoreResponse__Output>;
  store(argument: _mail_v1_StoreRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mail_v1_StoreResponse__Output>;
  store(argument: _mail_v1_StoreRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mail_v1_StoreResponse__Output>;
  
}

export interface MailboxServiceHandlers extends grpc.UntypedServiceImplementation {
  Append: grpc.handleUnaryCall<_mail_v1_AppendRequest__Output, _mail_v1_AppendResponse>;
  
  Authenticate: grpc.handleUnaryCall<_mail_v1_AuthenticateRequest__Output, _mail_v1_AuthenticateResponse>;
  
  CheckRecipient: grpc.handleUnaryCall<_mail_v1_CheckRecipientRequest__Output, _mail_v1_CheckRecipientResponse>;
  
  CloseSession: grpc.handleUnaryCall<_mail_v1_CloseSessionRequest__Output, _mail_v1_CloseSessionResponse>;
  
  Copy: grpc.handleUnaryCall<_mail_v1_CopyRequest__Output, _mail_v1_CopyResponse>;
  
  CreateMailbox: grpc.handleUnaryCall<_mail_v1_CreateMailboxRequest__Output, _mail_v1_MailboxInfo>;
  
  DeleteMailbox: grpc.handleUnaryCall<_mail_v1_DeleteMailboxRequest__Output, _mail_v1_DeleteMailboxResponse>;
  
  Deliver: grpc.handleUnaryCall<_mail_v1_DeliverRequest__Output, _mail_v1_DeliverResponse>;
  
  EdgeHeartbeat: grpc.handleUnaryCall<_mail_v1_EdgeHeartbeatRequest__Output, _mail_v1_EdgeHeartbeatResponse>;
  
  Expunge: grpc.handleUnaryCall<_mail_v1_ExpungeRequest__Output, _mail_v1_ExpungeResponse>;
  
  Fetch: grpc.handleServerStreamingCall<_mail_v1_FetchRequest__Output, _mail_v1_FetchResponse>;
  
  GetAccountState: grpc.handleUnaryCall<_mail_v1_GetAccountStateRequest__Output, _mail_v1_AccountState>;
  
  GetAcl: grpc.handleUnaryCall<_mail_v1_GetAclRequest__Output, _mail_v1_AclResponse>;
  
  GetChanges: grpc.handleServerStreamingCall<_mail_v1_GetChangesRequest__Output, _mail_v1_ChangesResponse>;
  
  GetQuota: grpc.handleUnaryCall<_mail_v1_GetQuotaRequest__Output, _mail_v1_GetQuotaResponse>;
  
  GetStatus: grpc.handleUnaryCall<_mail_v1_GetStatusRequest__Output, _mail_v1_MailboxStatus>;
  
  GetStatuses: grpc.handleUnaryCall<_mail_v1_GetStatusesRequest__Output, _mail_v1_GetStatusesResponse>;
  
  ListMailboxes: grpc.handleUnaryCall<_mail_v1_ListMailboxesRequest__Output, _mail_v1_ListMailboxesResponse>;
  
  Move: grpc.handleUnaryCall<_mail_v1_CopyRequest__Output, _mail_v1_CopyResponse>;
  
  Multiplex: grpc.handleBidiStreamingCall<_mail_v1_MuxFrame__Output, _mail_v1_MuxFrame>;
  
  OpenSession: grpc.handleUnaryCall<_mail_v1_OpenSessionRequest__Output, _mail_v1_OpenSessionResponse>;
  
  RenameMailbox: grpc.handleUnaryCall<_mail_v1_RenameMailboxRequest__Output, _mail_v1_RenameMailboxResponse>;
  
  Search: grpc.handleServerStreamingCall<_mail_v1_SearchRequest__Output, _mail_v1_SearchResponse>;
  
  Select: grpc.handleServerStreamingCall<_mail_v1_SelectRequest__Output, _mail_v1_SelectResponse>;
  
  SetAcl: grpc.handleUnaryCall<_mail_v1_SetAclRequest__Output, _mail_v1_SetAclResponse>;
  
  SetSubscribed: grpc.handleUnaryCall<_mail_v1_SetSubscribedRequest__Output, _mail_v1_SetSubscribedResponse>;
  
  Store: grpc.handleServerStreamingCall<_mail_v1_StoreRequest__Output, _mail_v1_StoreResponse>;
  
}

export interface MailboxServiceDefinition extends grpc.ServiceDefinition {
  Append: MethodDefinition<_mail_v1_AppendRequest, _mail_v1_AppendResponse, _mail_v1_AppendRequest__Output, _mail_v1_AppendResponse__Output>
  Authenticate: MethodDefinition<_mail_v1_AuthenticateRequest, _mail_v1_AuthenticateResponse, _mail_v1_AuthenticateRequest__Output, _mail_v1_AuthenticateResponse__Output>
  CheckRecipient: MethodDefinition<_mail_v1_CheckRecipientRequest, _mail_v1_CheckRecipientResponse, _mail_v1_CheckRecipientRequest__Output, _mail_v1_CheckRecipientResponse__Output>
  CloseSession: MethodDefinition<_mail_v1_CloseSessionRequest, _mail_v1_CloseSessionResponse, _mail_v1_CloseSessionRequest__Output, _mail_v1_CloseSessionResponse__Output>
  Copy: MethodDefinition<_mail_v1_CopyRequest, _mail_v1_CopyResponse, _mail_v1_CopyRequest__Output, _mail_v1_CopyResponse__Output>
  CreateMailbox: MethodDefinition<_mail_v1_CreateMailboxRequest, _mail_v1_MailboxInfo, _mail_v1_CreateMailboxRequest__Output, _mail_v1_MailboxInfo__Output>
  DeleteMailbox: MethodDefinition<_mail_v1_DeleteMailboxRequest, _mail_v1_DeleteMailboxResponse, _mail_v1_DeleteMailboxRequest__Output, _mail_v1_DeleteMailboxResponse__Output>
  Deliver: MethodDefinition<_mail_v1_DeliverRequest, _mail_v1_DeliverResponse, _mail_v1_DeliverRequest__Output, _mail_v1_DeliverResponse__Output>
  EdgeHeartbeat: MethodDefinition<_mail_v1_EdgeHeartbeatRequest, _mail_v1_EdgeHeartbeatResponse, _mail_v1_EdgeHeartbeatRequest__Output, _mail_v1_EdgeHeartbeatResponse__Output>
  Expunge: MethodDefinition<_mail_v1_ExpungeRequest, _mail_v1_ExpungeResponse, _mail_v1_ExpungeRequest__Output, _mail_v1_ExpungeResponse__Output>
  Fetch: MethodDefinition<_mail_v1_FetchRequest, _mail_v1_FetchResponse, _mail_v1_FetchRequest__Output, _mail_v1_FetchResponse__Output>
  GetAccountState: MethodDefinition<_mail_v1_GetAccountStateRequest, _mail_v1_AccountState, _mail_v1_GetAccountStateRequest__Output, _mail_v1_AccountState__Output>
  GetAcl: MethodDefinition<_mail_v1_GetAclRequest, _mail_v1_AclResponse, _mail_v1_GetAclRequest__Output, _mail_v1_AclResponse__Output>
  GetChanges: MethodDefinition<_mail_v1_GetChangesRequest, _mail_v1_ChangesResponse, _mail_v1_GetChangesRequest__Output, _mail_v1_ChangesResponse__Output>
  GetQuota: MethodDefinition<_mail_v1_GetQuotaRequest, _mail_v1_GetQuotaResponse, _mail_v1_GetQuotaRequest__Output, _mail_v1_GetQuotaResponse__Output>
  GetStatus: MethodDefinition<_mail_v1_GetStatusRequest, _mail_v1_MailboxStatus, _mail_v1_GetStatusRequest__Output, _mail_v1_MailboxStatus__Output>
  GetStatuses: MethodDefinition<_mail_v1_GetStatusesRequest, _mail_v1_GetStatusesResponse, _mail_v1_GetStatusesRequest__Output, _mail_v1_GetStatusesResponse__Output>
  ListMailboxes: MethodDefinition<_mail_v1_ListMailboxesRequest, _mail_v1_ListMailboxesResponse, _mail_v1_ListMailboxesRequest__Output, _mail_v1_ListMailboxesResponse__Output>
  Move: MethodDefinition<_mail_v1_CopyRequest, _mail_v1_CopyResponse, _mail_v1_CopyRequest__Output, _mail_v1_CopyResponse__Output>
  Multiplex: MethodDefinition<_mail_v1_MuxFrame, _mail_v1_MuxFrame, _mail_v1_MuxFrame__Output, _mail_v1_MuxFrame__Output>
  OpenSession: MethodDefinition<_mail_v1_OpenSessionRequest, _mail_v1_OpenSessionResponse, _mail_v1_OpenSessionRequest__Output, _mail_v1_OpenSessionResponse__Output>
  RenameMailbox: MethodDefinition<_mail_v1_RenameMailboxRequest, _mail_v1_RenameMailboxResponse, _mail_v1_RenameMailboxRequest__Output, _mail_v1_RenameMailboxResponse__Output>
  Search: MethodDefinition<_mail_v1_SearchRequest, _mail_v1_SearchResponse, _mail_v1_SearchRequest__Output, _mail_v1_SearchResponse__Output>
  Select: MethodDefinition<_mail_v1_SelectRequest, _mail_v1_SelectResponse, _mail_v1_SelectRequest__Output, _mail_v1_SelectResponse__Output>
  SetAcl: MethodDefinition<_mail_v1_SetAclRequest, _mail_v1_SetAclResponse, _mail_v1_SetAclRequest__Output, _mail_v1_SetAclResponse__Output>
  SetSubscribed: MethodDefinition<_mail_v1_SetSubscribedRequest, _mail_v1_SetSubscribedResponse, _mail_v1_SetSubscribedRequest__Output, _mail_v1_SetSubscribedResponse__Output>
  Store: MethodDefinition<_mail_v1_StoreRequest, _mail_v1_StoreResponse, _mail_v1_StoreRequest__Output, _mail_v1_StoreResponse__Output>
}
