# The FedLearn coordinator: ASP.NET Core (gRPC over HTTP/2 on mutual TLS 1.3) + Orleans silo, and the `fedlearn` CLI in
# /cli (for `federation init` and invitations in docker-compose.yml). Build from the repository root:
#   docker build -f docker/coordinator.Dockerfile -t fedlearn-coordinator .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish coordinator/FedLearn.Coordinator/FedLearn.Coordinator.csproj -c Release -o /app \
 && dotnet publish coordinator/FedLearn.Cli/FedLearn.Cli.csproj -c Release -o /cli

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
COPY --from=build /cli /cli
EXPOSE 5100
# The federation's CA and server certificate come from Coordinator__FederationDirectory (fedlearn federation init).
ENTRYPOINT ["dotnet", "fedlearn-coordinator.dll", "--urls", "https://0.0.0.0:5100"]
