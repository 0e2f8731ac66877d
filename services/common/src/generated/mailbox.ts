import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AccountRef as _mail_v1_AccountRef, AccountRef__Output as _mail_v1_AccountRef__Output } from './mail/v1/AccountRef.js';
import type { AccountState as _mail_v1_AccountState, AccountState__Output as _mail_v1_AccountState__Output } from './mail/v1/AccountState.js';
import type { AclEntry as _mail_v1_AclEntry, AclEntry__Output as _mail_v1_AclEntry__Output } from './mail/v1/AclEntry.js';
import type { AclResponse as _mail_v1_AclResponse, AclResponse__Output as _mail_v1_AclResponse__Output } from './mail/v1/AclResponse.js';
import type { AppendItem as _mail_v1_AppendItem, AppendItem__Output as _mail_v1_AppendItem__Output } from './mail/v1/AppendItem.js';
import type { AppendRequest as _mail_v1_AppendRequest, AppendRequest__Output as _mail_v1_AppendRequest__Output } from './mail/v1/AppendRequest.js';
import type { AppendResponse as _mail_v1_AppendResponse, AppendResponse__Output as _mail_v1_AppendResponse__Output } from './mail/v1/AppendResponse.js';
import type { AuthenticateRequest as _mail_v1_AuthenticateRequest, AuthenticateRequest__Output as _mail_v1_AuthenticateRequest__Output } from './mail/v1/AuthenticateRequest.js';
import type { AuthenticateResponse as _mail_v1_AuthenticateResponse, AuthenticateResponse__Output as _mail_v1_AuthenticateResponse__Output } from './mail/v1/AuthenticateResponse.js';
import type { ChangedMessage as _mail_v1_ChangedMessage, ChangedMessage__Output as _mail_v1_ChangedMessage__Output } from './mail/v1/ChangedMessage.js';
import type { ChangesResponse as _mail_v1_ChangesResponse, ChangesResponse__Output as _mail_v1_ChangesResponse__Output } from './mail/v1/ChangesResponse.js';
import type { CheckRecipientRequest as _mail_v1_CheckRecipientRequest, CheckRecipientRequest__Output as _mail_v1_CheckRecipientRequest__Output } from './mail/v1/CheckRecipientRequest.js';
import type { CheckRecipientResponse as _mail_v1_CheckRecipientResponse, CheckRecipientResponse__Output as _mail_v1_CheckRecipientResponse__Output } from './mail/v1/CheckRecipientResponse.js';
import type { CloseSessionRequest as _mail_v1_CloseSessionRequest, CloseSessionRequest__Output as _mail_v1_CloseSessionRequest__Output } from './mail/v1/CloseSessionRequest.js';
import type { CloseSessionResponse as _mail_v1_CloseSessionResponse, CloseSessionResponse__Output as _mail_v1_CloseSessionResponse__Output } from './mail/v1/CloseSessionResponse.js';
import type { CopyRequest as _mail_v1_CopyRequest, CopyRequest__Output as _mail_v1_CopyRequest__Output } from './mail/v1/CopyRequest.js';
import type { CopyResponse as _mail_v1_CopyResponse, CopyResponse__Output as _mail_v1_CopyResponse__Output } from './mail/v1/CopyResponse.js';
import type { CreateMailboxRequest as _mail_v1_CreateMailboxRequest, CreateMailboxRequest__Output as _mail_v1_CreateMailboxRequest__Output } from './mail/v1/CreateMailboxRequest.js';
import type { Day as _mail_v1_Day, Day__Output as _mail_v1_Day__Output } from './mail/v1/Day.js';
import type { DeleteMailboxRequest as _mail_v1_DeleteMailboxRequest, DeleteMailboxRequest__Output as _mail_v1_DeleteMailboxRequest__Output } from './mail/v1/DeleteMailboxRequest.js';
import type { DeleteMailboxResponse as _mail_v1_DeleteMailboxResponse, DeleteMailboxResponse__Output as _mail_v1_DeleteMailboxResponse__Output } from './mail/v1/DeleteMailboxResponse.js';
import type { DeliverRequest as _mail_v1_DeliverRequest, DeliverRequest__Output as _mail_v1_DeliverRequest__Output } from './mail/v1/DeliverRequest.js';
import type { DeliverResponse as _mail_v1_DeliverResponse, DeliverResponse__Output as _mail_v1_DeliverResponse__Output } from './mail/v1/DeliverResponse.js';
import type { DeliveryResult as _mail_v1_DeliveryResult, DeliveryResult__Output as _mail_v1_DeliveryResult__Output } from './mail/v1/DeliveryResult.js';
import type { DeliveryTrace as _mail_v1_DeliveryTrace, DeliveryTrace__Output as _mail_v1_DeliveryTrace__Output } from './mail/v1/DeliveryTrace.js';
import type { EdgeHeartbeatRequest as _mail_v1_EdgeHeartbeatRequest, EdgeHeartbeatRequest__Output as _mail_v1_EdgeHeartbeatRequest__Output } from './mail/v1/EdgeHeartbeatRequest.js';
import type { EdgeHeartbeatResponse as _mail_v1_EdgeHeartbeatResponse, EdgeHeartbeatResponse__Output as _mail_v1_EdgeHeartbeatResponse__Output } from './mail/v1/EdgeHeartbeatResponse.js';
import type { ExpungeRequest as _mail_v1_ExpungeRequest, ExpungeRequest__Output as _mail_v1_ExpungeRequest__Output } from './mail/v1/ExpungeRequest.js';
import type { ExpungeResponse as _mail_v1_ExpungeResponse, ExpungeResponse__Output as _mail_v1_ExpungeResponse__Output } from './mail/v1/ExpungeResponse.js';
import type { FetchRequest as _mail_v1_FetchRequest, FetchRequest__Output as _mail_v1_FetchRequest__Output } from './mail/v1/FetchRequest.js';
import type { FetchResponse as _mail_v1_FetchResponse, FetchResponse__Output as _mail_v1_FetchResponse__Output } from './mail/v1/FetchResponse.js';
import type { FetchedMessage as _mail_v1_FetchedMessage, FetchedMessage__Output as _mail_v1_FetchedMessage__Output } from './mail/v1/FetchedMessage.js';
import type { GetAccountStateRequest as _mail_v1_GetAccountStateRequest, GetAccountStateRequest__Output as _mail_v1_GetAccountStateRequest__Output } from './mail/v1/GetAccountStateRequest.js';
import type { GetAclRequest as _mail_v1_GetAclRequest, GetAclRequest__Output as _mail_v1_GetAclRequest__Output } from './mail/v1/GetAclRequest.js';
import type { GetChangesRequest as _mail_v1_GetChangesRequest, GetChangesRequest__Output as _mail_v1_GetChangesRequest__Output } from './mail/v1/GetChangesRequest.js';
import type { GetQuotaRequest as _mail_v1_GetQuotaRequest, GetQuotaRequest__Output as _mail_v1_GetQuotaRequest__Output } from './mail/v1/GetQuotaRequest.js';
import type { GetQuotaResponse as _mail_v1_GetQuotaResponse, GetQuotaResponse__Output as _mail_v1_GetQuotaResponse__Output } from './mail/v1/GetQuotaResponse.js';
import type { GetStatusRequest as _mail_v1_GetStatusRequest, GetStatusRequest__Output as _mail_v1_GetStatusRequest__Output } from './mail/v1/GetStatusRequest.js';
import type { GetStatusesRequest as _mail_v1_GetStatusesRequest, GetStatusesRequest__Output as _mail_v1_GetStatusesRequest__Output } from './mail/v1/GetStatusesRequest.js';
import type { GetStatusesResponse as _mail_v1_GetStatusesResponse, GetStatusesResponse__Output as _mail_v1_GetStatusesResponse__Output } from './mail/v1/GetStatusesResponse.js';
import type { HeaderMatch as _mail_v1_HeaderMatch, HeaderMatch__Output as _mail_v1_HeaderMatch__Output } from './mail/v1/HeaderMatch.js';
import type { ListMailboxesRequest as _mail_v1_ListMailboxesRequest, ListMailboxesRequest__Output as _mail_v1_ListMailboxesRequest__Output } from './mail/v1/ListMailboxesRequest.js';
import type { ListMailboxesResponse as _mail_v1_ListMailboxesResponse, ListMailboxesResponse__Output as _mail_v1_ListMailboxesResponse__Output } from './mail/v1/ListMailboxesResponse.js';
import type { MailboxInfo as _mail_v1_MailboxInfo, MailboxInfo__Output as _mail_v1_MailboxInfo__Output } from './mail/v1/MailboxInfo.js';
import type { MailboxServiceClient as _mail_v1_MailboxServiceClient, MailboxServiceDefinition as _mail_v1_MailboxServiceDefinition } from './mail/v1/MailboxService.js';
import type { MailboxStatus as _mail_v1_MailboxStatus, MailboxStatus__Output as _mail_v1_MailboxStatus__Output } from './mail/v1/MailboxStatus.js';
import type { MessageColumns as _mail_v1_MessageColumns, MessageColumns__Output as _mail_v1_MessageColumns__Output } from './mail/v1/MessageColumns.js';
import type { MuxFrame as _mail_v1_MuxFrame, MuxFrame__Output as _mail_v1_MuxFrame__Output } from './mail/v1/MuxFrame.js';
import type { OpenSessionRequest as _mail_v1_OpenSessionRequest, OpenSessionRequest__Output as _mail_v1_OpenSessionRequest__Output } from './mail/v1/OpenSessionRequest.js';
import type { OpenSessionResponse as _mail_v1_OpenSessionResponse, OpenSessionResponse__Output as _mail_v1_OpenSessionResponse__Output } from './mail/v1/OpenSessionResponse.js';
import type { Partial as _mail_v1_Partial, Partial__Output as _mail_v1_Partial__Output } from './mail/v1/Partial.js';
import type { QuotaUsage as _mail_v1_QuotaUsage, QuotaUsage__Output as _mail_v1_QuotaUsage__Output } from './mail/v1/QuotaUsage.js';
import type { RenameMailboxRequest as _mail_v1_RenameMailboxRequest, RenameMailboxRequest__Output as _mail_v1_RenameMailboxRequest__Output } from './mail/v1/RenameMailboxRequest.js';
import type { RenameMailboxResponse as _mail_v1_RenameMailboxResponse, RenameMailboxResponse__Output as _mail_v1_RenameMailboxResponse__Output } from './mail/v1/RenameMailboxResponse.js';
import type { SearchKey as _mail_v1_SearchKey, SearchKey__Output as _mail_v1_SearchKey__Output } from './mail/v1/SearchKey.js';
import type { SearchKeys as _mail_v1_SearchKeys, SearchKeys__Output as _mail_v1_SearchKeys__Output } from './mail/v1/SearchKeys.js';
import type { SearchRequest as _mail_v1_SearchRequest, SearchRequest__Output as _mail_v1_SearchRequest__Output } from './mail/v1/SearchRequest.js';
import type { SearchResponse as _mail_v1_SearchResponse, SearchResponse__Output as _mail_v1_SearchResponse__Output } from './mail/v1/SearchResponse.js';
import type { SelectRequest as _mail_v1_SelectRequest, SelectRequest__Output as _mail_v1_SelectRequest__Output } from './mail/v1/SelectRequest.js';
import type { SelectResponse as _mail_v1_SelectResponse, SelectResponse__Output as _mail_v1_SelectResponse__Output } from './mail/v1/SelectResponse.js';
import type { SessionKey as _mail_v1_SessionKey, SessionKey__Output as _mail_v1_SessionKey__Output } from './mail/v1/SessionKey.js';
import type { SetAclRequest as _mail_v1_SetAclRequest, SetAclRequest__Output as _mail_v1_SetAclRequest__Output } from './mail/v1/SetAclRequest.js';
import type { SetAclResponse as _mail_v1_SetAclResponse, SetAclResponse__Output as _mail_v1_SetAclResponse__Output } from './mail/v1/SetAclResponse.js';
import type { SetSubscribedRequest as _mail_v1_SetSubscribedRequest, SetSubscribedRequest__Output as _mail_v1_SetSubscribedRequest__Output } from './mail/v1/SetSubscribedRequest.js';
import type { SetSubscribedResponse as _mail_v1_SetSubscribedResponse, SetSubscribedResponse__Output as _mail_v1_SetSubscribedResponse__Output } from './mail/v1/SetSubscribedResponse.js';
import type { StoreRequest as _mail_v1_StoreRequest, StoreRequest__Output as _mail_v1_StoreRequest__Output } from './mail/v1/StoreRequest.js';
import type { StoreResponse as _mail_v1_StoreResponse, StoreResponse__Output as _mail_v1_StoreResponse__Output } from './mail/v1/StoreResponse.js';
import type { StoredFlags as _mail_v1_StoredFlags, StoredFlags__Output as _mail_v1_StoredFlags__Output } from './mail/v1/StoredFlags.js';
import type { UidRange as _mail_v1_UidRange, UidRange__Output as _mail_v1_UidRange__Output } from './mail/v1/UidRange.js';
import type { UidRanges as _mail_v1_UidRanges, UidRanges__Output as _mail_v1_UidRanges__Output } from './mail/v1/UidRanges.js';
import type { UidRuns as _mail_v1_UidRuns, UidRuns__Output as _mail_v1_UidRuns__Output } from './mail/v1/UidRuns.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  mail: {
    v1: {
      AccountRef: MessageTypeDefinition<_mail_v1_AccountRef, _mail_v1_AccountRef__Output>
      AccountState: MessageTypeDefinition<_mail_v1_AccountState, _mail_v1_AccountState__Output>
      AclEntry: MessageTypeDefinition<_mail_v1_AclEntry, _mail_v1_AclEntry__Output>
      AclMode: EnumTypeDefinition
      AclResponse: MessageTypeDefinition<_mail_v1_AclResponse, _mail_v1_AclResponse__Output>
      AppendItem: MessageTypeDefinition<_mail_v1_AppendItem, _mail_v1_AppendItem__Output>
      AppendRequest: MessageTypeDefinition<_mail_v1_AppendRequest, _mail_v1_AppendRequest__Output>
      AppendResponse: MessageTypeDefinition<_mail_v1_AppendResponse, _mail_v1_AppendResponse__Output>
      AuthenticateRequest: MessageTypeDefinition<_mail_v1_AuthenticateRequest, _mail_v1_AuthenticateRequest__Output>
      AuthenticateResponse: MessageTypeDefinition<_mail_v1_AuthenticateResponse, _mail_v1_AuthenticateResponse__Output>
      ChangedMessage: MessageTypeDefinition<_mail_v1_ChangedMessage, _mail_v1_ChangedMessage__Output>
      ChangesResponse: MessageTypeDefinition<_mail_v1_ChangesResponse, _mail_v1_ChangesResponse__Output>
      CheckRecipientRequest: MessageTypeDefinition<_mail_v1_CheckRecipientRequest, _mail_v1_CheckRecipientRequest__Output>
      CheckRecipientResponse: MessageTypeDefinition<_mail_v1_CheckRecipientResponse, _mail_v1_CheckRecipientResponse__Output>
      CloseSessionRequest: MessageTypeDefinition<_mail_v1_CloseSessionRequest, _mail_v1_CloseSessionRequest__Output>
      CloseSessionResponse: MessageTypeDefinition<_mail_v1_CloseSessionResponse, _mail_v1_CloseSessionResponse__Output>
      CopyRequest: MessageTypeDefinition<_mail_v1_CopyRequest, _mail_v1_CopyRequest__Output>
      CopyResponse: MessageTypeDefinition<_mail_v1_CopyResponse, _mail_v1_CopyResponse__Output>
      CreateMailboxRequest: MessageTypeDefinition<_mail_v1_CreateMailboxRequest, _mail_v1_CreateMailboxRequest__Output>
      Day: MessageTypeDefinition<_mail_v1_Day, _mail_v1_Day__Output>
      DeleteMailboxRequest: MessageTypeDefinition<_mail_v1_DeleteMailboxRequest, _mail_v1_DeleteMailboxRequest__Output>
      DeleteMailboxResponse: MessageTypeDefinition<_mail_v1_DeleteMailboxResponse, _mail_v1_DeleteMailboxResponse__Output>
      DeliverRequest: MessageTypeDefinition<_mail_v1_DeliverRequest, _mail_v1_DeliverRequest__Output>
      DeliverResponse: MessageTypeDefinition<_mail_v1_DeliverResponse, _mail_v1_DeliverResponse__Output>
      DeliveryResult: MessageTypeDefinition<_mail_v1_DeliveryResult, _mail_v1_DeliveryResult__Output>
      DeliveryStatus: EnumTypeDefinition
      DeliveryTrace: MessageTypeDefinition<_mail_v1_DeliveryTrace, _mail_v1_DeliveryTrace__Output>
      EdgeHeartbeatRequest: MessageTypeDefinition<_mail_v1_EdgeHeartbeatRequest, _mail_v1_EdgeHeartbeatRequest__Output>
      EdgeHeartbeatResponse: MessageTypeDefinition<_mail_v1_EdgeHeartbeatResponse, _mail_v1_EdgeHeartbeatResponse__Output>
      ExpungeRequest: MessageTypeDefinition<_mail_v1_ExpungeRequest, _mail_v1_ExpungeRequest__Output>
      ExpungeResponse: MessageTypeDefinition<_mail_v1_ExpungeResponse, _mail_v1_ExpungeResponse__Output>
      FetchRequest: MessageTypeDefinition<_mail_v1_FetchRequest, _mail_v1_FetchRequest__Output>
      FetchResponse: MessageTypeDefinition<_mail_v1_FetchResponse, _mail_v1_FetchResponse__Output>
      FetchedMessage: MessageTypeDefinition<_mail_v1_FetchedMessage, _mail_v1_FetchedMessage__Output>
      GetAccountStateRequest: MessageTypeDefinition<_mail_v1_GetAccountStateRequest, _mail_v1_GetAccountStateRequest__Output>
      GetAclRequest: MessageTypeDefinition<_mail_v1_GetAclRequest, _mail_v1_GetAclRequest__Output>
      GetChangesRequest: MessageTypeDefinition<_mail_v1_GetChangesRequest, _mail_v1_GetChangesRequest__Output>
      GetQuotaRequest: MessageTypeDefinition<_mail_v1_GetQuotaRequest, _mail_v1_GetQuotaRequest__Output>
      GetQuotaResponse: MessageTypeDefinition<_mail_v1_GetQuotaResponse, _mail_v1_GetQuotaResponse__Output>
      GetStatusRequest: MessageTypeDefinition<_mail_v1_GetStatusRequest, _mail_v1_GetStatusRequest__Output>
      GetStatusesRequest: MessageTypeDefinition<_mail_v1_GetStatusesRequest, _mail_v1_GetStatusesRequest__Output>
      GetStatusesResponse: MessageTypeDefinition<_mail_v1_GetStatusesResponse, _mail_v1_GetStatusesResponse__Output>
      HeaderMatch: MessageTypeDefinition<_mail_v1_HeaderMatch, _mail_v1_HeaderMatch__Output>
      ListMailboxesRequest: MessageTypeDefinition<_mail_v1_ListMailboxesRequest, _mail_v1_ListMailboxesRequest__Output>
      ListMailboxesResponse: MessageTypeDefinition<_mail_v1_ListMailboxesResponse, _mail_v1_ListMailboxesResponse__Output>
      MailboxInfo: MessageTypeDefinition<_mail_v1_MailboxInfo, _mail_v1_MailboxInfo__Output>
      MailboxService: SubtypeConstructor<typeof grpc.Client, _mail_v1_MailboxServiceClient> & { service: _mail_v1_MailboxServiceDefinition }
      MailboxStatus: MessageTypeDefinition<_mail_v1_MailboxStatus, _mail_v1_MailboxStatus__Output>
      MessageColumns: MessageTypeDefinition<_mail_v1_MessageColumns, _mail_v1_MessageColumns__Output>
      MuxFrame: MessageTypeDefinition<_mail_v1_MuxFrame, _mail_v1_MuxFrame__Output>
      OpenSessionRequest: MessageTypeDefinition<_mail_v1_OpenSessionRequest, _mail_v1_OpenSessionRequest__Output>
      OpenSessionResponse: MessageTypeDefinition<_mail_v1_OpenSessionResponse, _mail_v1_OpenSessionResponse__Output>
      Partial: MessageTypeDefinition<_mail_v1_Partial, _mail_v1_Partial__Output>
      QuotaUsage: MessageTypeDefinition<_mail_v1_QuotaUsage, _mail_v1_QuotaUsage__Output>
      RenameMailboxRequest: MessageTypeDefinition<_mail_v1_RenameMailboxRequest, _mail_v1_RenameMailboxRequest__Output>
      RenameMailboxResponse: MessageTypeDefinition<_mail_v1_RenameMailboxResponse, _mail_v1_RenameMailboxResponse__Output>
      SearchKey: MessageTypeDefinition<_mail_v1_SearchKey, _mail_v1_SearchKey__Output>
      SearchKeys: MessageTypeDefinition<_mail_v1_SearchKeys, _mail_v1_SearchKeys__Output>
      SearchRequest: MessageTypeDefinition<_mail_v1_SearchRequest, _mail_v1_SearchRequest__Output>
      SearchResponse: MessageTypeDefinition<_mail_v1_SearchResponse, _mail_v1_SearchResponse__Output>
      SelectRequest: MessageTypeDefinition<_mail_v1_SelectRequest, _mail_v1_SelectRequest__Output>
      SelectResponse: MessageTypeDefinition<_mail_v1_SelectResponse, _mail_v1_SelectResponse__Output>
      SessionKey: MessageTypeDefinition<_mail_v1_SessionKey, _mail_v1_SessionKey__Output>
      SetAclRequest: MessageTypeDefinition<_mail_v1_SetAclRequest, _mail_v1_SetAclRequest__Output>
      SetAclResponse: MessageTypeDefinition<_mail_v1_SetAclResponse, _mail_v1_SetAclResponse__Output>
      SetSubscribedRequest: MessageTypeDefinition<_mail_v1_SetSubscribedRequest, _mail_v1_SetSubscribedRequest__Output>
      SetSubscribedResponse: MessageTypeDefinition<_mail_v1_SetSubscribedResponse, _mail_v1_SetSubscribedResponse__Output>
      StoreMode: EnumTypeDefinition
      StoreRequest: MessageTypeDefinition<_mail_v1_StoreRequest, _mail_v1_StoreRequest__Output>
      StoreResponse: MessageTypeDefinition<_mail_v1_StoreResponse, _mail_v1_StoreResponse__Output>
      StoredFlags: MessageTypeDefinition<_mail_v1_StoredFlags, _mail_v1_StoredFlags__Output>
      UidRange: MessageTypeDefinition<_mail_v1_UidRange, _mail_v1_UidRange__Output>
      UidRanges: MessageTypeDefinition<_mail_v1_UidRanges, _mail_v1_UidRanges__Output>
      UidRuns: MessageTypeDefinition<_mail_v1_UidRuns, _mail_v1_UidRuns__Output>
    }
  }
}

