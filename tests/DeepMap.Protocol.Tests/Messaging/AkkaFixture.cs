using Akka.Actor;
using Akka.Configuration;
using DeepMap.Protocol.Messaging;

namespace DeepMap.Protocol.Tests.Messaging;

/// <summary>An actor system configured the way every node binds the protocol serializer.</summary>
public sealed class AkkaFixture : IDisposable
{
    public const string SerializerHocon = """
        akka.actor {
          serializers.deepmap = "DeepMap.Protocol.Messaging.ProtocolSerializer, DeepMap.Protocol"
          serialization-bindings { "DeepMap.Protocol.Messaging.IDeepMapMessage, DeepMap.Protocol" = deepmap }
          serialization-identifiers { "DeepMap.Protocol.Messaging.ProtocolSerializer, DeepMap.Protocol" = 7300 }
        }
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        """;

    public AkkaFixture()
    {
        System = ActorSystem.Create("t", ConfigurationFactory.ParseString(SerializerHocon));
        Serializer = new ProtocolSerializer((ExtendedActorSystem)System);
    }

    public ActorSystem System { get; }

    public ProtocolSerializer Serializer { get; }

    public void Dispose() => System.Terminate().Wait(TimeSpan.FromSeconds(10));
}
